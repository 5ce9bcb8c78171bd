from django.urls import path

from . import views

urlpatterns = [
    path("photos/<uuid:key>/", views.photo, name="chat_photo"),
    path("photos/<uuid:key>/thumb/", views.photo_thumb, name="chat_photo_thumb"),
]

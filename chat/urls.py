from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="chat_inbox"),
    path("open/", views.conversation_open, name="chat_open"),
    path("<int:pk>/", views.conversation_page, name="chat_conversation"),
    path("<int:pk>/block/", views.block, name="chat_block"),
    path("<int:pk>/unblock/", views.unblock, name="chat_unblock"),
    path("<int:pk>/messages/<int:message_pk>/report/", views.report, name="chat_report"),
    # Named like the files they are (as listing photos are): a browser shows them as images.
    path("photos/<uuid:key>.jpg", views.photo, name="chat_photo"),
    path("photos/<uuid:key>-thumb.jpg", views.photo_thumb, name="chat_photo_thumb"),
]

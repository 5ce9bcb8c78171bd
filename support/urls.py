"""The support pages (included at the root before bookings' URLs, whose
/bookings/<id>/<action>/ would otherwise take /bookings/<id>/report/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("bookings/<int:pk>/report/", views.case_new, name="case_new"),
    path("support/cases/", views.case_list, name="case_list"),
    path("support/cases/<int:pk>/", views.case_detail, name="case_detail"),
    # Named like the files they are: a browser shows them as images.
    path("support/photos/<uuid:key>.jpg", views.photo, name="case_photo"),
    path("support/photos/<uuid:key>-thumb.jpg", views.photo_thumb, name="case_photo_thumb"),
]

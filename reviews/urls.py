from django.urls import path

from . import views

# Included at the site's root before bookings' URLs (whose /bookings/<id>/<action>/ would
# otherwise take /bookings/<id>/review/).
urlpatterns = [
    path("bookings/<int:pk>/review/", views.review_new, name="review_new"),
    path("reviews/<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("reviews/<int:pk>/report/", views.review_report, name="review_report"),
    # Named like the files they are: a browser shows them as images.
    path("reviews/photos/<uuid:key>.jpg", views.photo, name="review_photo"),
    path("reviews/photos/<uuid:key>-thumb.jpg", views.photo_thumb, name="review_photo_thumb"),
]

"""The places API: the cities (a small table, public, cached by clients and proxies)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from marketplace.replicas import ReplicaReadsAPIMixin

from .models import City
from .selectors import city_list

# Cities change a few times a year: clients and shared caches may keep the list an hour.
CITIES_MAX_AGE = 3600


class CitySerializer(serializers.ModelSerializer):
    latitude = serializers.SerializerMethodField()
    longitude = serializers.SerializerMethodField()

    class Meta:
        model = City
        fields = ["id", "name", "slug", "state", "country", "timezone", "latitude", "longitude"]
        read_only_fields = fields

    def get_latitude(self, city: City) -> float:
        return round(city.point.y, 5)

    def get_longitude(self, city: City) -> float:
        return round(city.point.x, 5)


@extend_schema(tags=["catalogue"], summary="The cities services are listed in, largest first.")
class CityListView(ReplicaReadsAPIMixin, generics.ListAPIView):
    serializer_class = CitySerializer
    permission_classes = [AllowAny]
    filter_backends: list = []

    def get_queryset(self):
        return city_list()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            response["Cache-Control"] = f"public, max-age={CITIES_MAX_AGE}"
        return response

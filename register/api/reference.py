"""Read-only reference data: the gazetteer and training modules. Public geography, not personal
data, so readable without logging in (field offices look codes up before they have an account)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from register.choices import Need
from register.models import Commune, District, Province, TrainingModule, Village
from register.selectors.filters import (
    CommuneFilter,
    DistrictFilter,
    ProvinceFilter,
    TrainingModuleFilter,
    VillageFilter,
)


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name_en", "name_km", "lat", "lon"]


class DistrictSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province_id", read_only=True)

    class Meta:
        model = District
        fields = ["code", "name_en", "name_km", "lat", "lon", "province"]


class CommuneSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district_id", read_only=True)
    province = serializers.CharField(source="province_id", read_only=True)

    class Meta:
        model = Commune
        fields = ["code", "name_en", "name_km", "lat", "lon", "district", "province"]


class VillageSerializer(serializers.ModelSerializer):
    commune = serializers.CharField(source="commune_id", read_only=True)
    district = serializers.CharField(source="district_id", read_only=True)
    province = serializers.CharField(source="province_id", read_only=True)

    class Meta:
        model = Village
        fields = ["code", "name_en", "name_km", "commune", "district", "province"]


class ReferenceViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    lookup_field = "code"


def _gazetteer_viewset(model, serializer_class, filterset_class) -> type[ReferenceViewSet]:
    """One level of the gazetteer (provinces, districts, communes, villages), in code order."""
    attrs = {
        "queryset": model.objects.order_by("code"),
        "serializer_class": serializer_class,
        "filterset_class": filterset_class,
    }
    return type(f"{model.__name__}ViewSet", (ReferenceViewSet,), attrs)


ProvinceViewSet = _gazetteer_viewset(Province, ProvinceSerializer, ProvinceFilter)
DistrictViewSet = _gazetteer_viewset(District, DistrictSerializer, DistrictFilter)
CommuneViewSet = _gazetteer_viewset(Commune, CommuneSerializer, CommuneFilter)
VillageViewSet = _gazetteer_viewset(Village, VillageSerializer, VillageFilter)


# --- Training modules (the carers area) --------------------------------------------------------


class TrainingModuleSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("The name in the request's language (en or km)."))
    supports_needs = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices), read_only=True)

    class Meta:
        model = TrainingModule
        fields = ["code", "name", "required_for_approval", "supports_needs"]


class TrainingModuleViewSet(ReferenceViewSet):
    """The training modules families take; `name` follows the request's language (Accept-Language)."""

    queryset = TrainingModule.objects.order_by("code")
    serializer_class = TrainingModuleSerializer
    filterset_class = TrainingModuleFilter

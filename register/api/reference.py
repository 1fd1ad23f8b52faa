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


class ProvinceViewSet(ReferenceViewSet):
    queryset = Province.objects.order_by("code")
    serializer_class = ProvinceSerializer
    filterset_class = ProvinceFilter


class DistrictViewSet(ReferenceViewSet):
    queryset = District.objects.order_by("code")
    serializer_class = DistrictSerializer
    filterset_class = DistrictFilter


class CommuneViewSet(ReferenceViewSet):
    queryset = Commune.objects.order_by("code")
    serializer_class = CommuneSerializer
    filterset_class = CommuneFilter


class VillageViewSet(ReferenceViewSet):
    queryset = Village.objects.order_by("code")
    serializer_class = VillageSerializer
    filterset_class = VillageFilter


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

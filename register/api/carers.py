"""The register of foster families over HTTP (API.md, "Carers (the register)").

/api/v1/carers/                              list, create
/api/v1/carers/{id}/                         retrieve, partial update (PATCH)
/api/v1/carers/{id}/status/                  POST a lifecycle move
/api/v1/carers/{id}/review/                  POST the yearly review (renews the approval)
/api/v1/carers/{id}/checks/                  list, create
/api/v1/carers/{id}/trainings/               list, create (a second record of a module updates it)
/api/v1/carers/{id}/concerns/[{concern_id}/] list, create, retrieve, partial update (close)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from register.api.duplicates import PossibleDuplicateSerializer, duplicate_reviewed_field
from register.api.fields import (
    ChoiceListField,
    CommuneField,
    PhoneField,
    VillageField,
    bounded_many,
    reason_field,
)
from register.api.imports import urlpatterns as import_urls
from register.api.pagination import KeysetPagination
from register.api.permissions import HasCapability
from register.choices import CareType, Ethnicity, Language, Need, Religion, Sex
from register.inputs import carers as inputs
from register.inputs.names import validate_latin_name, validate_person_name
from register.inputs.people import validate_adult_birth_date, validate_not_in_future
from register.inputs.places import LATITUDE_MESSAGE, LATITUDE_RANGE, LONGITUDE_MESSAGE, LONGITUDE_RANGE
from register.models import (
    Carer,
    CarerCheck,
    CarerStatusChange,
    CarerTraining,
    HouseholdMember,
    SafeguardingConcern,
    TrainingModule,
)
from register.roles import role_has
from register.selectors import carers as selectors
from register.selectors.filters import CarerFilter
from register.services import carers as services

__all__ = ["CarerFilter", "PhoneField"]  # importable from here as before; their homes are elsewhere


# --- Input -------------------------------------------------------------------------------------

# A romanised name (issue 14): optional, Latin letters.
LATIN_NAME = {
    "max_length": inputs.PERSON_NAME_MAX,
    "required": False,
    "allow_blank": True,
    "validators": [validate_latin_name],
    "help_text": _("The name romanised, as on the ID card or passport (optional)."),
}


class CarerPrimaryCarerSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=inputs.PERSON_NAME_MAX, validators=[validate_person_name])
    family_name = serializers.CharField(max_length=inputs.PERSON_NAME_MAX, validators=[validate_person_name])
    given_name_latin = serializers.CharField(**LATIN_NAME)
    family_name_latin = serializers.CharField(**LATIN_NAME)
    sex = serializers.ChoiceField(choices=Sex.choices)
    date_of_birth = serializers.DateField(validators=[validate_adult_birth_date])
    national_id = serializers.CharField(max_length=inputs.NATIONAL_ID_MAX, required=False, allow_blank=True)


class CarerLocationSerializer(serializers.Serializer):
    """A GPS point inside Cambodia."""

    lat = serializers.FloatField(
        min_value=LATITUDE_RANGE[0],
        max_value=LATITUDE_RANGE[1],
        error_messages={"min_value": LATITUDE_MESSAGE, "max_value": LATITUDE_MESSAGE},
    )
    lon = serializers.FloatField(
        min_value=LONGITUDE_RANGE[0],
        max_value=LONGITUDE_RANGE[1],
        error_messages={"min_value": LONGITUDE_MESSAGE, "max_value": LONGITUDE_MESSAGE},
    )


class CarerHouseholdMemberSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=inputs.PERSON_NAME_MAX, validators=[validate_person_name])
    family_name = serializers.CharField(max_length=inputs.PERSON_NAME_MAX, validators=[validate_person_name])
    given_name_latin = serializers.CharField(**LATIN_NAME)
    family_name_latin = serializers.CharField(**LATIN_NAME)
    sex = serializers.ChoiceField(choices=Sex.choices)
    date_of_birth = serializers.DateField(validators=[validate_not_in_future])
    relationship = serializers.ChoiceField(choices=HouseholdMember.Relationship.choices)


class CarerInputSerializer(serializers.Serializer):
    """A family as registrars type it, through the API or a row of an import file: codes for places,
    lists for enumerations, the phone as text. `validated_data` is flat (the primary carer's fields
    and lat/lon at the top level, as the Carer model has them) plus `household_members`, ready for
    `carer_create` / `carer_update`. Pass `instance=` for a partial update so that rules across
    fields see the stored values."""

    household_name = serializers.CharField(max_length=inputs.HOUSEHOLD_NAME_MAX)
    primary_carer = CarerPrimaryCarerSerializer(source="*")
    phone = PhoneField()
    commune = CommuneField()
    village = VillageField(required=False, allow_null=True)
    address = serializers.CharField(max_length=inputs.ADDRESS_MAX, required=False, allow_blank=True)
    location = CarerLocationSerializer(required=False, allow_null=True)
    languages = ChoiceListField(Language.choices, name="languages", allow_empty=False)
    religion = serializers.ChoiceField(choices=Religion.choices)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices)
    max_children = serializers.IntegerField(min_value=inputs.CAPACITY_RANGE[0], max_value=inputs.CAPACITY_RANGE[1])
    age_min = serializers.IntegerField(min_value=inputs.AGE_ACCEPTED_RANGE[0], max_value=inputs.AGE_ACCEPTED_RANGE[1])
    age_max = serializers.IntegerField(min_value=inputs.AGE_ACCEPTED_RANGE[0], max_value=inputs.AGE_ACCEPTED_RANGE[1])
    sexes_accepted = ChoiceListField(Sex.choices, name="sexes_accepted", allow_empty=False)
    max_sibling_group = serializers.IntegerField(
        min_value=inputs.SIBLING_GROUP_RANGE[0], max_value=inputs.SIBLING_GROUP_RANGE[1]
    )
    care_types = ChoiceListField(CareType.choices, name="care_types", allow_empty=False)
    needs_supported = ChoiceListField(Need.choices, name="needs_supported", required=False)
    household_members = bounded_many(
        CarerHouseholdMemberSerializer, name="household_members", max_length=inputs.HOUSEHOLD_MAX, required=False
    )
    # Creations only (a partial update drops it): see register.api.duplicates.
    duplicate_reviewed = duplicate_reviewed_field()

    def validate(self, attrs):
        if "location" in attrs:
            location = attrs.pop("location") or {}
            attrs["lat"], attrs["lon"] = location.get("lat"), location.get("lon")
        # Rules across fields see the stored values of fields a partial update leaves out.
        values = {
            f: attrs[f] if f in attrs else getattr(self.instance, f, None)
            for f in ("commune", "village", "age_min", "age_max")
        }
        if "commune" in attrs and "village" not in attrs and self.instance is not None:
            values["village"] = self.instance.village
        errors = inputs.carer_consistency_errors(values=values)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CarerStatusChangeInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Carer.Status.choices)
    reason = reason_field()


class CarerReviewInputSerializer(serializers.Serializer):
    reason = reason_field()


class CarerCheckInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CarerCheck.Kind.choices)
    result = serializers.ChoiceField(choices=CarerCheck.Result.choices)
    checked_on = serializers.DateField(validators=[validate_not_in_future])
    expires_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

    def validate(self, attrs):
        errors = inputs.check_dates_errors(attrs.get("checked_on"), attrs.get("expires_on"))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CarerTrainingInputSerializer(serializers.Serializer):
    module = serializers.SlugRelatedField(
        slug_field="code",
        queryset=TrainingModule.objects.all(),
        error_messages={"does_not_exist": _("{value} is not a training module (see /api/v1/training-modules/).")},
    )
    completed_on = serializers.DateField(validators=[validate_not_in_future])


class CarerConcernInputSerializer(serializers.Serializer):
    raised_on = serializers.DateField(validators=[validate_not_in_future])
    summary = serializers.CharField(max_length=5000)
    status = serializers.ChoiceField(choices=SafeguardingConcern.Status.choices, default="open")
    closed_on = serializers.DateField(required=False, allow_null=True, validators=[validate_not_in_future])

    def validate(self, attrs):
        raised_on = attrs.get("raised_on", getattr(self.instance, "raised_on", None))
        errors = inputs.concern_dates_errors(raised_on, attrs.get("closed_on"))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


# --- Output ------------------------------------------------------------------------------------


class CarerPrimaryCarerOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Carer
        fields = [
            "given_name",
            "family_name",
            "given_name_latin",
            "family_name_latin",
            "sex",
            "date_of_birth",
            "national_id",
        ]


@extend_schema_field(CarerLocationSerializer(allow_null=True))
class CarerLocationOutputField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, carer):
        if carer.lat is None or carer.lon is None:
            return None
        return {"lat": carer.lat, "lon": carer.lon}


class CarerHouseholdMemberOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = HouseholdMember
        fields = [
            "id",
            "given_name",
            "family_name",
            "given_name_latin",
            "family_name_latin",
            "sex",
            "date_of_birth",
            "relationship",
        ]


class CarerCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = CarerCheck
        fields = ["id", "kind", "result", "checked_on", "expires_on", "notes", "created_at"]


class CarerTrainingSerializer(serializers.ModelSerializer):
    module = serializers.CharField(source="module_id", read_only=True)
    module_name = serializers.CharField(source="module.name", read_only=True)

    class Meta:
        model = CarerTraining
        fields = ["id", "module", "module_name", "completed_on", "created_at"]


class CarerConcernSerializer(serializers.ModelSerializer):
    class Meta:
        model = SafeguardingConcern
        fields = ["id", "raised_on", "summary", "status", "closed_on", "created_at"]


class CarerStatusChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username", default=None, read_only=True, allow_null=True)

    class Meta:
        model = CarerStatusChange
        fields = ["from_status", "to_status", "reason", "changed_by", "changed_at"]


class CarerSerializer(serializers.ModelSerializer):
    """A family as the list shows it: its own fields only, so a page costs one query."""

    primary_carer = CarerPrimaryCarerOutputSerializer(source="*", read_only=True)
    commune = serializers.CharField(source="commune_id", read_only=True)
    village = serializers.CharField(source="village_id", read_only=True, allow_null=True)
    district = serializers.CharField(source="district_id", read_only=True)
    province = serializers.CharField(source="province_id", read_only=True)
    location = CarerLocationOutputField()
    languages = serializers.ListField(child=serializers.ChoiceField(choices=Language.choices), read_only=True)
    sexes_accepted = serializers.ListField(child=serializers.ChoiceField(choices=Sex.choices), read_only=True)
    care_types = serializers.ListField(child=serializers.ChoiceField(choices=CareType.choices), read_only=True)
    needs_supported = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices), read_only=True)
    vacancies = serializers.IntegerField(read_only=True)

    class Meta:
        model = Carer
        fields = [
            "id",
            "reference",
            "status",
            "household_name",
            "primary_carer",
            "phone",
            "commune",
            "village",
            "district",
            "province",
            "address",
            "location",
            *inputs.MATCHED_FIELDS,
            "approved_on",
            "review_due",
            "vacancies",
        ]
        read_only_fields = fields

    def to_representation(self, carer):
        # One rendering for the list (from values, see CarerViewSet.list) and for a family read as an
        # instance. tests/register/test_carer_serializer.py holds it equal to the generic rendering.
        return carer_row(selectors.carer_list_values_of(carer))


def _iso(day):
    return None if day is None else day.isoformat()


def carer_row(carer: dict) -> dict:
    """CarerSerializer's output for one family read as `carer_list_rows` (the list's hot path: 50
    to 200 families a page, ~25 fields each, written out instead of DRF's per-field calls)."""
    return {
        "id": str(carer["id"]),
        "reference": carer["reference"],
        "status": carer["status"],
        "household_name": carer["household_name"],
        "primary_carer": {
            "given_name": carer["given_name"],
            "family_name": carer["family_name"],
            "given_name_latin": carer["given_name_latin"],
            "family_name_latin": carer["family_name_latin"],
            "sex": carer["sex"],
            "date_of_birth": _iso(carer["date_of_birth"]),
            "national_id": carer["national_id"],
        },
        "phone": carer["phone"],
        "commune": carer["commune_id"],
        "village": carer["village_id"],
        "district": carer["district_id"],
        "province": carer["province_id"],
        "address": carer["address"],
        "location": (
            None if carer["lat"] is None or carer["lon"] is None else {"lat": carer["lat"], "lon": carer["lon"]}
        ),
        "languages": list(carer["languages"]),
        "religion": carer["religion"],
        "ethnicity": carer["ethnicity"],
        "max_children": carer["max_children"],
        "age_min": carer["age_min"],
        "age_max": carer["age_max"],
        "sexes_accepted": list(carer["sexes_accepted"]),
        "max_sibling_group": carer["max_sibling_group"],
        "care_types": list(carer["care_types"]),
        "needs_supported": list(carer["needs_supported"]),
        "approved_on": _iso(carer["approved_on"]),
        "review_due": _iso(carer["review_due"]),
        "vacancies": carer["vacancies"],
    }


class CarerDetailSerializer(CarerSerializer):
    """One family's record: its household, checks, trainings, concerns, status history, and what
    approval still needs (empty when nothing is missing)."""

    household_members = CarerHouseholdMemberOutputSerializer(many=True, read_only=True)
    checks = CarerCheckSerializer(many=True, read_only=True)
    trainings = CarerTrainingSerializer(many=True, read_only=True)
    concerns = CarerConcernSerializer(many=True, read_only=True)
    status_history = CarerStatusChangeSerializer(source="status_changes", many=True, read_only=True)
    approval_missing = serializers.ListField(child=serializers.CharField(), read_only=True)
    merged_into = serializers.UUIDField(
        source="merged_into_id",
        read_only=True,
        allow_null=True,
        help_text=_("The record kept when this one was merged into it (a duplicate); null otherwise."),
    )

    class Meta(CarerSerializer.Meta):
        fields = [
            *CarerSerializer.Meta.fields,
            "household_members",
            "checks",
            "trainings",
            "concerns",
            "status_history",
            "approval_missing",
            "merged_into",
        ]
        read_only_fields = fields

    def to_representation(self, carer):
        # One family at a time: the generic rendering of every declared field.
        return serializers.ModelSerializer.to_representation(self, carer)


# --- Views -------------------------------------------------------------------------------------


def _require(user, capability: str) -> None:
    if not (user.is_superuser or role_has(user.role, capability)):
        raise PermissionDenied


class CarerViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [HasCapability.for_("carers.write", read="carers.read")]
    filterset_class = CarerFilter
    pagination_class = KeysetPagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Carer.objects.none()  # for the schema; get_queryset scopes to the caller

    def get_queryset(self):
        return selectors.carer_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action in ("create", "partial_update", "update"):
            return CarerInputSerializer
        if self.action == "list":
            return CarerSerializer
        return CarerDetailSerializer

    def get_object(self):
        return selectors.carer_get(user=self.request.user, id=self.kwargs["pk"])

    def _detail(self, carer: Carer) -> dict:
        detail = selectors.carer_detail_get(user=self.request.user, id=carer.pk)
        return CarerDetailSerializer(detail, context=self.get_serializer_context()).data

    def list(self, request, *args, **kwargs):
        # Rows read as values and rendered by carer_row: the body CarerSerializer gives an instance.
        page = self.paginate_queryset(self.filter_queryset(selectors.carer_list_rows(user=request.user)))
        return self.get_paginated_response([carer_row(carer) for carer in page])

    @extend_schema(responses=CarerDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        carer = selectors.carer_detail_get(user=request.user, id=self.kwargs["pk"])
        return Response(CarerDetailSerializer(carer, context=self.get_serializer_context()).data)

    @extend_schema(
        request=CarerInputSerializer, responses={201: CarerDetailSerializer, 409: PossibleDuplicateSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = CarerInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reviewed = data.pop("duplicate_reviewed", "")
        carer = services.carer_create(actor=request.user, data=data, duplicate_reviewed=reviewed)
        return Response(self._detail(carer), status=status.HTTP_201_CREATED)

    @extend_schema(request=CarerInputSerializer, responses=CarerDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        carer = self.get_object()
        serializer = CarerInputSerializer(carer, data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "duplicate_reviewed"}
        carer = services.carer_update(actor=request.user, carer=carer, data=data)
        return Response(self._detail(carer))

    @extend_schema(
        request=CarerStatusChangeInputSerializer,
        responses=CarerDetailSerializer,
        description=str(
            _(
                "Move the family along its lifecycle: enquiry → assessment → training → approved ⇄ on_hold; "
                "any → deregistered. 400 invalid_transition for any other move; approval needs every "
                "requirement (400 approval_requirements_missing with `missing`)."
            )
        ),
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        carer = self.get_object()
        serializer = CarerStatusChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = serializer.validated_data["status"]
        _require(request.user, services.carer_status_capability(target))
        carer = services.carer_set_status(
            actor=request.user, carer=carer, status=target, reason=serializer.validated_data["reason"]
        )
        return Response(self._detail(carer))

    @extend_schema(
        request=CarerReviewInputSerializer,
        responses=CarerDetailSerializer,
        description=str(
            _(
                "The yearly review of an approved family: re-checks every approval requirement and renews "
                "the approval (approved_on today, review_due a year later). 400 carer_not_approved when "
                "the family is not approved; 400 approval_requirements_missing when a requirement lapsed."
            )
        ),
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        carer = self.get_object()
        serializer = CarerReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _require(request.user, "carers.approve")
        carer = services.carer_review(actor=request.user, carer=carer, reason=serializer.validated_data["reason"])
        return Response(self._detail(carer))


CARER_ID = OpenApiParameter("carer_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=str(_("The carer's id")))


class CarerRecordViewSet(viewsets.GenericViewSet):
    """Records under one carer, reached through the carer (so its jurisdiction decides: 404 outside)."""

    permission_classes = [HasCapability.for_("carers.write", read="carers.read")]
    filterset_class = None
    filter_backends: list = []

    def get_carer(self) -> Carer:
        if not hasattr(self, "_carer"):
            self._carer = selectors.carer_get(user=self.request.user, id=self.kwargs["carer_id"])
        return self._carer

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(parameters=[CARER_ID], responses=CarerCheckSerializer(many=True)),
    create=extend_schema(
        parameters=[CARER_ID], request=CarerCheckInputSerializer, responses={201: CarerCheckSerializer}
    ),
)
class CarerCheckViewSet(CarerRecordViewSet):
    """The checks approval rests on: home assessment, police clearance, health check, references."""

    serializer_class = CarerCheckSerializer
    queryset = CarerCheck.objects.none()

    def get_queryset(self):
        return selectors.carer_check_list(carer=self.get_carer())

    def create(self, request, *args, **kwargs):
        carer = self.get_carer()
        serializer = CarerCheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check = services.carer_check_create(actor=request.user, carer=carer, data=serializer.validated_data)
        return Response(CarerCheckSerializer(check).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[CARER_ID], responses=CarerTrainingSerializer(many=True)),
    create=extend_schema(
        parameters=[CARER_ID],
        request=CarerTrainingInputSerializer,
        responses={201: CarerTrainingSerializer, 200: CarerTrainingSerializer},
        description=str(_("Record a completed training module; a second record of a module updates its date (200).")),
    ),
)
class CarerTrainingViewSet(CarerRecordViewSet):
    """The training modules the family completed (one record per module)."""

    serializer_class = CarerTrainingSerializer
    queryset = CarerTraining.objects.none()

    def get_queryset(self):
        return selectors.carer_training_list(carer=self.get_carer())

    def create(self, request, *args, **kwargs):
        carer = self.get_carer()
        serializer = CarerTrainingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        training, created = services.carer_training_record(actor=request.user, carer=carer, **serializer.validated_data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(CarerTrainingSerializer(training).data, status=code)


CONCERN_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=str(_("The concern's id")))


@extend_schema_view(
    list=extend_schema(parameters=[CARER_ID], responses=CarerConcernSerializer(many=True)),
    create=extend_schema(
        parameters=[CARER_ID], request=CarerConcernInputSerializer, responses={201: CarerConcernSerializer}
    ),
    retrieve=extend_schema(parameters=[CARER_ID, CONCERN_ID], responses=CarerConcernSerializer),
    partial_update=extend_schema(
        parameters=[CARER_ID, CONCERN_ID], request=CarerConcernInputSerializer, responses=CarerConcernSerializer
    ),
)
class CarerConcernViewSet(CarerRecordViewSet):
    """Safeguarding concerns: an open one keeps the family out of every match."""

    serializer_class = CarerConcernSerializer
    queryset = SafeguardingConcern.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.carer_concern_list(carer=self.get_carer())

    def get_object(self):
        return selectors.carer_concern_get(carer=self.get_carer(), id=self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        return Response(CarerConcernSerializer(self.get_object()).data)

    def create(self, request, *args, **kwargs):
        carer = self.get_carer()
        serializer = CarerConcernInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        concern = services.carer_concern_create(actor=request.user, carer=carer, data=serializer.validated_data)
        return Response(CarerConcernSerializer(concern).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        concern = self.get_object()
        serializer = CarerConcernInputSerializer(concern, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        concern = services.carer_concern_update(actor=request.user, concern=concern, data=serializer.validated_data)
        return Response(CarerConcernSerializer(concern).data)


# carers/import/ must come before carers/<pk>/, so the import views are this area's extra paths.
extra_urls = import_urls

CARER = r"carers/(?P<carer_id>[^/.]+)"


def register_routes(router) -> None:
    """Add this area's viewsets to the API router."""
    from register.api.reference import TrainingModuleViewSet

    router.register("carers", CarerViewSet, basename="carer")
    router.register(f"{CARER}/checks", CarerCheckViewSet, basename="carer-check")
    router.register(f"{CARER}/trainings", CarerTrainingViewSet, basename="carer-training")
    router.register(f"{CARER}/concerns", CarerConcernViewSet, basename="carer-concern")
    router.register("training-modules", TrainingModuleViewSet, basename="training-module")

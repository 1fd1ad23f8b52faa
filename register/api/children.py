"""API of institutions, children (with kin and excluded families) and sibling groups (API.md).

Views stay thin: an input serializer checks the shape, one service or selector does the work, an
output serializer renders it. Every read of a child's record is logged in the audit trail.

Input serializers carry the output serializer's component name, so that the schema's enums (status,
kind, relationship...) each belong to one component and are named without collisions.
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from register.api.carers import LATIN_NAME
from register.api.duplicates import PossibleDuplicateSerializer, duplicate_reviewed_field
from register.api.fields import BoundedListField, ChoiceListField, CommuneField, bounded_many
from register.api.pagination import KeysetPagination
from register.api.parsers import JSONParser  # nesting bounded, as every JSON body of the API
from register.api.permissions import HasCapability
from register.audit import audit_read, audit_reads
from register.choices import CareType, Ethnicity, Language, Need, Religion, Sex
from register.inputs.carers import PERSON_NAME_MAX
from register.inputs.limits import MAX_EXCLUSIONS, MAX_EXTERNAL_IDS, MAX_KIN, MAX_SIBLINGS, too_many_message
from register.inputs.names import validate_person_name
from register.models import Child, Institution, KinLink, SiblingGroup
from register.selectors.children import (
    child_get,
    child_list,
    institution_get,
    institution_list,
    sibling_group_get,
    sibling_group_list,
)
from register.selectors.filters import ChildFilter, InstitutionFilter, SiblingGroupFilter
from register.services.children import (
    EXTERNAL_ID_KEYS,
    child_create,
    child_update,
    institution_create,
    institution_update,
    sibling_group_create,
    sibling_group_delete,
    sibling_group_update,
)

# --- Institutions ----------------------------------------------------------------------------------


class InstitutionSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Institution.Kind.choices)
    commune = serializers.CharField(source="commune_id", help_text=_("Commune code (six digits)."))
    province = serializers.CharField(source="province_id", help_text=_("Province code, derived from the commune."))
    status = serializers.ChoiceField(choices=Institution.Status.choices)
    inspection_score = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)


@extend_schema_serializer(component_name="Institution")
class InstitutionWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Institution.Kind.choices)
    commune = CommuneField(help_text=_("Commune code (six digits); it must lie in one of your provinces."))
    status = serializers.ChoiceField(choices=Institution.Status.choices, required=False)
    inspection_score = serializers.IntegerField(min_value=0, max_value=100, allow_null=True, required=False)


class InstitutionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Residential care institutions, transit homes, pagodas... where children live before placement."""

    parser_classes = [JSONParser]
    permission_classes = [HasCapability.for_("institutions.write", read="institutions.read")]
    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilter
    queryset = Institution.objects.none()  # the model, for the schema; rows come from get_queryset

    def get_queryset(self):
        return institution_list(user=self.request.user).order_by("name", "id")

    @extend_schema(request=InstitutionWriteSerializer, responses={201: InstitutionSerializer})
    def create(self, request):
        data = _valid(InstitutionWriteSerializer, request.data)
        institution = institution_create(actor=request.user, data=data)
        return Response(InstitutionSerializer(institution).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InstitutionWriteSerializer, responses=InstitutionSerializer)
    def update(self, request, pk=None, partial=False):
        institution = institution_get(user=request.user, id=pk)
        data = _valid(InstitutionWriteSerializer, request.data, partial=partial)
        institution = institution_update(actor=request.user, institution=institution, data=data)
        return Response(InstitutionSerializer(institution).data)

    @extend_schema(request=InstitutionWriteSerializer, responses=InstitutionSerializer)
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)


# --- Children --------------------------------------------------------------------------------------


class ChildKinSerializer(serializers.Serializer):
    carer = serializers.UUIDField(source="carer_id", help_text=_("The kin family's id on the register."))
    relationship = serializers.ChoiceField(choices=KinLink.Relationship.choices)


@extend_schema_serializer(component_name="ChildKin")
class ChildKinWriteSerializer(serializers.Serializer):
    carer = serializers.UUIDField(help_text=_("The kin family's id; it must be on the register of your provinces."))
    relationship = serializers.ChoiceField(choices=KinLink.Relationship.choices)


class ChildExclusionSerializer(serializers.Serializer):
    carer = serializers.UUIDField(source="carer_id")
    reason = serializers.CharField()


@extend_schema_serializer(component_name="ChildExclusion")
class ChildExclusionWriteSerializer(serializers.Serializer):
    carer = serializers.UUIDField(help_text=_("The family never to consider for this child."))
    reason = serializers.CharField(max_length=2000)


class ChildExternalIdsSerializer(serializers.Serializer):
    """Ids of the child in partner case-management systems."""

    rejects_unknown_keys = True  # the schema says additionalProperties: false (register/api/schema.py)
    primero = serializers.CharField(max_length=64, required=False)
    oscar = serializers.CharField(max_length=64, required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict) and len(data) > MAX_EXTERNAL_IDS:
            # One message, not one per unknown key echoed back.
            raise serializers.ValidationError(too_many_message("external_ids", MAX_EXTERNAL_IDS), code="max_length")
        if isinstance(data, dict):
            unknown = sorted(str(k) for k in data if k not in EXTERNAL_ID_KEYS)
            if unknown:
                raise serializers.ValidationError(
                    {k: [_("Not a known partner system; use primero or oscar.")] for k in unknown}
                )
        return super().to_internal_value(data)


def _reader(serializer: serializers.BaseSerializer):
    """Who is shown the record: the request's user, given in the serializer's context."""
    request = serializer.context.get("request")
    if request is None:
        raise ImproperlyConfigured(
            "ChildSerializer renders a child's record: give it context={'request': request}, so the read is logged."
        )
    return request.user


class _ChildListSerializer(serializers.ListSerializer):
    """A page of children: every child shown logged as read, in one insert."""

    def to_representation(self, data):
        children = list(data.all() if hasattr(data, "all") else data)
        audit_reads(actor=_reader(self), instances=children)
        return [child_row(child) for child in children]


class ChildSerializer(serializers.Serializer):
    """A child's record as the API shows it. Rendering it logs the read (who, which child, when),
    whatever the method that answers with it (GET, POST, PATCH with or without a change): the read
    is logged where the record is shown, so no endpoint can show one and forget the log."""

    class Meta:
        list_serializer_class = _ChildListSerializer

    id = serializers.UUIDField()
    reference = serializers.CharField(help_text=_("Reference for paper forms, e.g. CH-02-000045."))
    given_name = serializers.CharField(help_text=_("As written, usually in Khmer script."))
    family_name = serializers.CharField(help_text=_("As written, usually in Khmer script."))
    given_name_latin = serializers.CharField(help_text=_("Romanised; may be empty."))
    family_name_latin = serializers.CharField(help_text=_("Romanised; may be empty."))
    sex = serializers.ChoiceField(choices=Sex.choices)
    date_of_birth = serializers.DateField()
    institution = serializers.UUIDField(source="institution_id", allow_null=True)
    home_commune = serializers.CharField(source="home_commune_id", help_text=_("Commune of the family of origin."))
    school_commune = serializers.CharField(source="school_commune_id", allow_null=True)
    languages = serializers.ListField(child=serializers.ChoiceField(choices=Language.choices))
    religion = serializers.ChoiceField(choices=Religion.choices)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices)
    needs = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices))
    care_type_needed = serializers.ChoiceField(choices=CareType.choices)
    sibling_group = serializers.UUIDField(source="sibling_group_id", allow_null=True)
    status = serializers.ChoiceField(choices=Child.Status.choices)
    kin = ChildKinSerializer(many=True)
    excluded_carers = ChildExclusionSerializer(many=True)
    external_ids = ChildExternalIdsSerializer()
    province = serializers.CharField(
        source="province_id", help_text=_("Where the child is now: the institution's or the carer's province.")
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    merged_into = serializers.UUIDField(
        source="merged_into_id",
        allow_null=True,
        help_text=_("The record kept when this one was merged into it (a duplicate); null otherwise."),
    )

    def to_representation(self, child):
        # A page of children renders 50 to 200 of them: the declared fields written out, without
        # DRF's per-field calls. tests/register/test_child_serializer.py holds it equal to the
        # generic rendering.
        audit_read(actor=_reader(self), instance=child)
        return child_row(child)


_DATETIME = serializers.DateTimeField()  # the API's rendering of a moment (time zone, "Z")


def _uuid(value):
    return None if value is None else str(value)


def child_row(child: Child) -> dict:
    """ChildSerializer's output for one child (kin and exclusions prefetched, as child_list does)."""
    ids = child.external_ids
    return {
        "id": str(child.id),
        "reference": child.reference,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "given_name_latin": child.given_name_latin,
        "family_name_latin": child.family_name_latin,
        "sex": child.sex,
        "date_of_birth": child.date_of_birth.isoformat(),
        "institution": _uuid(child.institution_id),
        "home_commune": child.home_commune_id,
        "school_commune": child.school_commune_id,
        "languages": list(child.languages),
        "religion": child.religion,
        "ethnicity": child.ethnicity,
        "needs": list(child.needs),
        "care_type_needed": child.care_type_needed,
        "sibling_group": _uuid(child.sibling_group_id),
        "status": child.status,
        "kin": [{"carer": str(k.carer_id), "relationship": k.relationship} for k in child.kin.all()],
        "excluded_carers": [{"carer": str(e.carer_id), "reason": e.reason} for e in child.excluded_carers.all()],
        "external_ids": None
        if ids is None
        else {key: None if ids[key] is None else str(ids[key]) for key in ("primero", "oscar") if key in ids},
        "province": child.province_id,
        "created_at": _DATETIME.to_representation(child.created_at),
        "updated_at": _DATETIME.to_representation(child.updated_at),
        "merged_into": _uuid(child.merged_into_id),
    }


@extend_schema_serializer(component_name="Child")
class ChildCreateSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=PERSON_NAME_MAX, validators=[validate_person_name])
    family_name = serializers.CharField(max_length=PERSON_NAME_MAX, validators=[validate_person_name])
    given_name_latin = serializers.CharField(**LATIN_NAME)
    family_name_latin = serializers.CharField(**LATIN_NAME)
    sex = serializers.ChoiceField(choices=Sex.choices)
    date_of_birth = serializers.DateField(help_text=_("Not in the future; the child must be under 18."))
    institution = serializers.UUIDField(
        allow_null=True, required=False, help_text=_("An institution of your provinces, or null.")
    )
    home_commune = CommuneField()
    school_commune = CommuneField(allow_null=True, required=False)
    languages = ChoiceListField(choices=Language.choices, name="languages", allow_empty=False)
    religion = serializers.ChoiceField(choices=Religion.choices)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices)
    needs = ChoiceListField(choices=Need.choices, name="needs", required=False)
    care_type_needed = serializers.ChoiceField(choices=CareType.choices)
    kin = bounded_many(ChildKinWriteSerializer, name="kin", max_length=MAX_KIN, required=False)
    excluded_carers = bounded_many(
        ChildExclusionWriteSerializer, name="excluded_carers", max_length=MAX_EXCLUSIONS, required=False
    )
    external_ids = ChildExternalIdsSerializer(required=False)
    duplicate_reviewed = duplicate_reviewed_field()


@extend_schema_serializer(component_name="Child")
class ChildUpdateSerializer(ChildCreateSerializer):
    duplicate_reviewed = None  # creations only: an edit is not refused as a duplicate
    status = serializers.ChoiceField(
        choices=Child.Status.choices,
        required=False,
        help_text=_(
            "Only between in_residential_care and awaiting_placement, or to exited, aged_out, reunified or "
            "adopted while the child is in no active placement."
        ),
    )


class ChildViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Children leaving residential care. Every record shown is logged as read by the caller."""

    parser_classes = [JSONParser]
    permission_classes = [HasCapability.for_("children.write", read="children.read")]
    serializer_class = ChildSerializer
    filterset_class = ChildFilter
    pagination_class = KeysetPagination
    queryset = Child.objects.none()  # the model, for the schema; rows come from get_queryset
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return child_list(user=self.request.user).order_by("reference")

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        # get_serializer passes the request: ChildSerializer logs each child shown as read.
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        # A record merged into another answers too, with `merged_into` naming the one kept.
        return Response(self.get_serializer(child_get(user=request.user, id=pk, include_merged=True)).data)

    @extend_schema(
        request=ChildCreateSerializer,
        responses={201: ChildSerializer, 409: PossibleDuplicateSerializer},
    )
    def create(self, request):
        data = _valid(ChildCreateSerializer, request.data)
        reviewed = data.pop("duplicate_reviewed", "")
        child = child_create(actor=request.user, data=data, duplicate_reviewed=reviewed)
        return Response(self.get_serializer(child).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ChildUpdateSerializer, responses=ChildSerializer)
    def partial_update(self, request, pk=None):
        child = child_get(user=request.user, id=pk)
        data = _valid(ChildUpdateSerializer, request.data, partial=True)
        child = child_update(actor=request.user, child=child, data=data)
        # Read back through the selector: kin and exclusions in the caller's provinces only.
        # The answer is the whole record, changed or not: a read, logged by ChildSerializer.
        return Response(self.get_serializer(child_get(user=request.user, id=child.pk)).data)


# --- Sibling groups --------------------------------------------------------------------------------


class SiblingGroupSerializer(serializers.ModelSerializer):
    children = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = SiblingGroup
        fields = ["id", "children", "keep_together", "created_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="SiblingGroup")
class SiblingGroupWriteSerializer(serializers.Serializer):
    children = BoundedListField(
        name="sibling_group.children",
        child=serializers.UUIDField(),
        min_length=2,
        max_length=MAX_SIBLINGS,
        help_text=_("Two or more children of your jurisdiction, none of them in another sibling group."),
    )
    keep_together = serializers.BooleanField(default=True)


class SiblingGroupViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Brothers and sisters to be placed together unless there is a recorded reason."""

    parser_classes = [JSONParser]
    permission_classes = [HasCapability.for_("children.write", read="children.read")]
    serializer_class = SiblingGroupSerializer
    filterset_class = SiblingGroupFilter
    queryset = SiblingGroup.objects.none()  # the model, for the schema; rows come from get_queryset
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return sibling_group_list(user=self.request.user).order_by("-created_at", "id")

    @extend_schema(request=SiblingGroupWriteSerializer, responses={201: SiblingGroupSerializer})
    def create(self, request):
        data = _valid(SiblingGroupWriteSerializer, request.data)
        group = sibling_group_create(actor=request.user, children=data["children"], keep_together=data["keep_together"])
        return Response(self._render(group), status=status.HTTP_201_CREATED)

    @extend_schema(request=SiblingGroupWriteSerializer, responses=SiblingGroupSerializer)
    def partial_update(self, request, pk=None):
        group = sibling_group_get(user=request.user, id=pk)
        data = _valid(SiblingGroupWriteSerializer, request.data, partial=True)
        group = sibling_group_update(
            actor=request.user, group=group, children=data.get("children"), keep_together=data.get("keep_together")
        )
        return Response(self._render(group))

    def destroy(self, request, pk=None):
        group = sibling_group_get(user=request.user, id=pk)
        sibling_group_delete(actor=request.user, group=group)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _render(self, group):
        # Read back with its children (prefetched): those the caller may see, as on a GET.
        return SiblingGroupSerializer(sibling_group_get(user=self.request.user, id=group.pk)).data


def _valid(serializer_class, data, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


extra_urls: list = []


def register_routes(router) -> None:
    """Add this area's viewsets to the API router."""
    router.register("institutions", InstitutionViewSet, basename="institution")
    router.register("children", ChildViewSet, basename="child")
    router.register("sibling-groups", SiblingGroupViewSet, basename="sibling-group")

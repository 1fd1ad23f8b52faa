"""Placements and their follow-up visits: /api/v1/placements/ and /api/v1/visits/ (API.md)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from register.api.fields import BoundedListField, reason_field
from register.api.pagination import KeysetPagination
from register.api.permissions import HasCapability
from register.choices import CareType
from register.inputs.limits import MAX_CHILDREN_PER_PLACEMENT
from register.models import Carer, Child, Placement, Visit
from register.models.placements import VisitLateRecord
from register.rules.eligibility import OVERRIDABLE
from register.rules.visits import VISIT_STATUS_CHOICES, days_overdue, status_of, today
from register.scoping import scope_to_user
from register.selectors.filters import PlacementFilter, VisitFilter
from register.selectors.placements import (
    PageDetails,
    placement_detail,
    placement_list,
    placement_list_base,
    placement_list_values,
    placement_page_details,
    placements_visible_to,
)
from register.selectors.visits import visit_list, visits_visible_to
from register.services.placements import placement_create, placement_end
from register.services.visits import visit_acknowledge, visit_complete

# --- Output --------------------------------------------------------------------------------------


def _children_of(placement: Placement) -> list[str]:
    # memberships are prefetched by the selectors: no query per row.
    return [str(m.child_id) for m in placement.memberships.all()]


class LateRecordSerializer(serializers.Serializer):
    """A record of the visit that arrived after it was completed by someone else, or after its
    placement ended: kept, never dropped, for the supervisor to read."""

    id = serializers.UUIDField(read_only=True)
    client_id = serializers.UUIDField(read_only=True, allow_null=True)
    reason = serializers.ChoiceField(choices=VisitLateRecord.Reason.choices, read_only=True)
    visited_on = serializers.DateField(read_only=True)
    outcome = serializers.ChoiceField(choices=Visit.Outcome.choices, read_only=True)
    notes = serializers.CharField(read_only=True)
    recorded_at = serializers.DateTimeField(read_only=True, allow_null=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    received_at = serializers.DateTimeField(read_only=True)


class VisitSerializer(serializers.Serializer):
    """A follow-up visit. `status` is derived from today's date: scheduled, due, overdue, or what
    happened (completed, missed, cancelled)."""

    id = serializers.UUIDField(read_only=True)
    placement = serializers.UUIDField(source="placement_id", read_only=True)
    carer = serializers.UUIDField(source="placement.carer_id", read_only=True)
    children = serializers.SerializerMethodField()
    sequence = serializers.IntegerField(read_only=True)
    due_date = serializers.DateField(read_only=True)
    status = serializers.SerializerMethodField()
    days_overdue = serializers.SerializerMethodField()
    social_worker = serializers.SerializerMethodField()
    province = serializers.CharField(source="placement.province_id", read_only=True)
    completed_on = serializers.DateField(read_only=True, allow_null=True)
    outcome = serializers.ChoiceField(choices=Visit.Outcome.choices, read_only=True, allow_blank=True)
    notes = serializers.CharField(read_only=True)
    recorded_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("When the completion was recorded on the phone, if it was.")
    )
    late_records = LateRecordSerializer(many=True, read_only=True)
    acknowledged_at = serializers.DateTimeField(read_only=True, allow_null=True)
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", read_only=True, allow_null=True, help_text=_("A username.")
    )
    acknowledgement = serializers.CharField(read_only=True, help_text=_("What was done about an urgent outcome."))
    follow_up_of = serializers.UUIDField(
        read_only=True, allow_null=True, help_text=_("The visit with an urgent outcome this extra visit follows up.")
    )

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_children(self, visit) -> list[str]:
        return _children_of(visit.placement)

    @extend_schema_field(serializers.ChoiceField(choices=VISIT_STATUS_CHOICES))
    def get_status(self, visit) -> str:
        return status_of(visit)

    def get_days_overdue(self, visit) -> int:
        return days_overdue(status=status_of(visit), due_date=visit.due_date)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_social_worker(self, visit) -> str | None:
        worker = visit.placement.social_worker
        return worker.username if worker else None

    def to_representation(self, visit):
        # Lists render hundreds of visits (a page of placements nests each one's visits): the
        # declared fields written out, without DRF's per-field calls. tests/register/
        # test_placement_serializer.py holds it equal to the generic rendering.
        return visit_row(visit)


class OverrideSerializer(serializers.Serializer):
    """A fit rule set aside when the placement was made, and why."""

    code = serializers.ChoiceField(choices=sorted(OVERRIDABLE), read_only=True)
    reason = serializers.CharField(read_only=True)
    by = serializers.CharField(read_only=True, help_text=_("The username of who placed."))
    at = serializers.DateTimeField(read_only=True)


class PlacementSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    carer = serializers.UUIDField(source="carer_id", read_only=True)
    children = serializers.SerializerMethodField()
    start_date = serializers.DateField(read_only=True)
    end_date = serializers.DateField(read_only=True, allow_null=True)
    care_type = serializers.ChoiceField(choices=CareType.choices, read_only=True)
    status = serializers.ChoiceField(choices=Placement.Status.choices, read_only=True)
    # Plain text in the schema: the same choice set under a second name would be a second enum.
    end_reason = serializers.CharField(
        read_only=True, help_text=_("Why it ended (the `reason` given to end it); empty while active.")
    )
    social_worker = serializers.SerializerMethodField()
    province = serializers.CharField(source="province_id", read_only=True)
    match = serializers.UUIDField(source="match_id", read_only=True, allow_null=True)
    match_rank = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("The family's rank in that match run; null if it did not rank it.")
    )
    split_reason = serializers.CharField(read_only=True)
    overrides = OverrideSerializer(many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    visits = VisitSerializer(many=True, read_only=True)

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_children(self, placement) -> list[str]:
        return _children_of(placement)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_social_worker(self, placement) -> str | None:
        return placement.social_worker.username if placement.social_worker else None

    def to_representation(self, placement):
        # As VisitSerializer.to_representation: the declared fields written out.
        return placement_row(placement)


_DATETIME = serializers.DateTimeField()  # the API's rendering of a moment (time zone, "Z")


def _iso(day):
    return None if day is None else day.isoformat()


def _moment(at):
    return None if at is None else _DATETIME.to_representation(at)


def visit_row(visit: Visit) -> dict:
    """VisitSerializer's output for one visit (its placement, the placement's children and social
    worker loaded with it, as the selectors do)."""
    placement = visit.placement
    status = status_of(visit)
    worker = placement.social_worker
    return {
        "id": str(visit.id),
        "placement": str(visit.placement_id),
        "carer": str(placement.carer_id),
        "children": _children_of(placement),
        "sequence": visit.sequence,
        "due_date": _iso(visit.due_date),
        "status": status,
        "days_overdue": days_overdue(status=status, due_date=visit.due_date),
        "social_worker": worker.username if worker else None,
        "province": placement.province_id,
        "completed_on": _iso(visit.completed_on),
        "outcome": visit.outcome,
        "notes": visit.notes,
        "recorded_at": _moment(visit.recorded_at),
        "late_records": [late_record_row(late) for late in visit.late_records.all()],
        "acknowledged_at": _moment(visit.acknowledged_at),
        "acknowledged_by": visit.acknowledged_by.username if visit.acknowledged_by_id else None,
        "acknowledgement": visit.acknowledgement,
        "follow_up_of": None if visit.follow_up_of_id is None else str(visit.follow_up_of_id),
    }


def late_record_row(late: VisitLateRecord) -> dict:
    return {
        "id": str(late.id),
        "client_id": None if late.client_id is None else str(late.client_id),
        "reason": late.reason,
        "visited_on": _iso(late.visited_on),
        "outcome": late.outcome,
        "notes": late.notes,
        "recorded_at": _moment(late.recorded_at),
        "recorded_by": late.recorded_by.username,
        "received_at": _moment(late.received_at),
    }


def placement_row(placement: Placement) -> dict:
    """PlacementSerializer's output for one placement (children, visits and social worker loaded
    with it, as the selectors do)."""
    worker = placement.social_worker
    return {
        "id": str(placement.id),
        "carer": str(placement.carer_id),
        "children": _children_of(placement),
        "start_date": _iso(placement.start_date),
        "end_date": _iso(placement.end_date),
        "care_type": placement.care_type,
        "status": placement.status,
        "end_reason": placement.end_reason,
        "social_worker": worker.username if worker else None,
        "province": placement.province_id,
        "match": None if placement.match_id is None else str(placement.match_id),
        "match_rank": placement.match_rank,
        "split_reason": placement.split_reason,
        "overrides": placement.overrides,
        "created_at": _DATETIME.to_representation(placement.created_at),
        "visits": [visit_row(visit) for visit in placement.visits.all()],
    }


# --- The list, from plain values -----------------------------------------------------------------
# GET /placements/ renders its page from the values of register.selectors.placements
# (`placement_list_values`, `placement_page_details`) instead of model instances: the same body as
# placement_row, field for field (tests/register/test_placement_list_body.py holds every row equal
# to the detail's body).


def placement_list_rows(placements: list[dict], *, with_visits: bool = True) -> list[dict]:
    """The list's body for a page of `placement_list_values` rows: their children, visits and late
    records read in three queries for the whole page (one, the children, without the visits)."""
    details = placement_page_details(placement_ids=[p["id"] for p in placements], with_visits=with_visits)
    on = today()
    rows = [placement_values_row(placement, details, on) for placement in placements]
    if not with_visits:
        for row in rows:
            del row["visits"]
    return rows


def placement_values_row(p: dict, details: PageDetails, on) -> dict:
    """placement_row's output for one placement read as values."""
    placement_id = str(p["id"])
    carer = str(p["carer_id"])
    children = [str(child) for child in details.children.get(p["id"], ())]
    worker = p["social_worker__username"]
    province = p["province_id"]
    late_records = details.late_records
    visits = []
    for (
        visit_id,
        _placement,
        sequence,
        due_date,
        visit_status,
        completed_on,
        outcome,
        notes,
        recorded_at,
        acknowledged_at,
        acknowledged_by,
        acknowledgement,
        follow_up_of,
    ) in details.visits.get(p["id"], ()):  # VISIT_VALUES, in that order
        visits.append(
            {
                "id": str(visit_id),
                "placement": placement_id,
                "carer": carer,
                "children": children,
                "sequence": sequence,
                "due_date": due_date.isoformat(),
                "status": visit_status,
                "days_overdue": days_overdue(status=visit_status, due_date=due_date, on=on),
                "social_worker": worker,
                "province": province,
                "completed_on": _iso(completed_on),
                "outcome": outcome,
                "notes": notes,
                "recorded_at": _moment(recorded_at),
                "late_records": [late_values_row(late) for late in late_records.get(visit_id, ())],
                "acknowledged_at": _moment(acknowledged_at),
                "acknowledged_by": acknowledged_by,
                "acknowledgement": acknowledgement,
                "follow_up_of": None if follow_up_of is None else str(follow_up_of),
            }
        )
    return {
        "id": placement_id,
        "carer": carer,
        "children": children,
        "start_date": _iso(p["start_date"]),
        "end_date": _iso(p["end_date"]),
        "care_type": p["care_type"],
        "status": p["status"],
        "end_reason": p["end_reason"],
        "social_worker": worker,
        "province": province,
        "match": None if p["match_id"] is None else str(p["match_id"]),
        "match_rank": p["match_rank"],
        "split_reason": p["split_reason"],
        "overrides": p["overrides"],
        "created_at": _DATETIME.to_representation(p["created_at"]),
        "visits": visits,
    }


def late_values_row(late: dict) -> dict:
    """late_record_row's output for a late record read as values."""
    return {
        "id": str(late["id"]),
        "client_id": None if late["client_id"] is None else str(late["client_id"]),
        "reason": late["reason"],
        "visited_on": _iso(late["visited_on"]),
        "outcome": late["outcome"],
        "notes": late["notes"],
        "recorded_at": _moment(late["recorded_at"]),
        "recorded_by": late["recorded_by__username"],
        "received_at": _moment(late["received_at"]),
    }


# --- Input ---------------------------------------------------------------------------------------


class PlacementCreateSerializer(serializers.Serializer):
    carer = serializers.PrimaryKeyRelatedField(
        queryset=Carer.objects.none(),
        pk_field=serializers.UUIDField(),
        error_messages={"does_not_exist": _("No foster family with id {pk_value} was found.")},
    )
    children = BoundedListField(
        name="placement.children",
        child=serializers.UUIDField(),
        min_length=1,
        max_length=MAX_CHILDREN_PER_PLACEMENT,
        allow_empty=False,
    )
    start_date = serializers.DateField()
    care_type = serializers.ChoiceField(choices=CareType.choices)
    match = serializers.UUIDField(required=False, allow_null=True, help_text=_("The match run that proposed it."))
    social_worker = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=150, help_text=_("A username.")
    )
    split_reason = reason_field(_("Why siblings to be kept together are separated, when they are."))
    override_reason = reason_field(
        _(
            "Why the family is chosen although a fit rule says no (age, sex, sibling group size, needs, care "
            "type). Rules that protect the child are never overridden."
        )
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent when the schema generator builds it
        if request is not None:
            self.fields["carer"].queryset = scope_to_user(Carer.objects.all(), request.user)

    def validate_children(self, value):
        ids = list(dict.fromkeys(value))
        visible = scope_to_user(Child.objects.filter(pk__in=ids), self.context["request"].user)
        found = set(visible.values_list("pk", flat=True))
        unknown = [str(i) for i in ids if i not in found]
        if unknown:
            raise serializers.ValidationError(_("No child with id %(ids)s was found.") % {"ids": ", ".join(unknown)})
        return ids


class PlacementEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()
    reason = serializers.ChoiceField(choices=Placement.EndReason.choices)


class VisitCompleteSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=Visit.Outcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    client_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("Made once per record by the phone: the same id again writes nothing twice."),
    )
    recorded_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text=_("When the visit was recorded on the phone.")
    )


class VisitAcknowledgeSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=2000, help_text=_("What was done about the urgent outcome."))
    next_visit_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("A date for an extra visit, when one is wanted.")
    )


class PlacementListRowSerializer(PlacementSerializer):
    """A row of the list, for the schema: a placement, whose `visits` `?visits=none` leaves out."""

    # Not read_only (DRF forbids read_only with required=False): an output-only serializer all the same.
    visits = VisitSerializer(many=True, required=False, help_text=_("Left out with ?visits=none."))


# --- Views ---------------------------------------------------------------------------------------

# `GET /placements/?visits=none`: the list's rows without their nested visits (docs/api/register.md).
VISITS_PARAMETER = "visits"
VISITS_CHOICES = ("all", "none")


def visits_wanted(params) -> bool:
    """Whether the list nests each placement's visits; any value but all or none is a 400 naming it."""
    value = params.get(VISITS_PARAMETER, "all")
    if value not in VISITS_CHOICES:
        raise serializers.ValidationError(
            {VISITS_PARAMETER: [_("Give all (the default) or none, not “%(value)s”.") % {"value": value[:50]}]}
        )
    return value == "all"


class PlacementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Children placed with foster families. A social worker sees only the placements they follow."""

    permission_classes = [HasCapability.for_("placements.write", read="placements.read")]
    serializer_class = PlacementSerializer
    filterset_class = PlacementFilter
    pagination_class = KeysetPagination

    def get_queryset(self):
        if self.action == "list":
            return placement_list_base(user=self.request.user)  # read as values by `list`
        return placement_list(user=self.request.user)

    @extend_schema(
        responses=PlacementListRowSerializer(many=True),
        parameters=[
            OpenApiParameter(
                VISITS_PARAMETER,
                str,
                enum=list(VISITS_CHOICES),
                description=str(
                    _(
                        "all (the default): each placement nests its visits. none: the same rows without "
                        "the visits key, a lighter page for lists that do not show them."
                    )
                ),
            )
        ],
    )
    def list(self, request, *args, **kwargs):
        with_visits = visits_wanted(request.query_params)
        # A page nests every visit of each placement (about 550): read and rendered as plain values,
        # the same body as PlacementSerializer's (see placement_list_rows).
        page = self.paginate_queryset(placement_list_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(placement_list_rows(page, with_visits=with_visits))

    @extend_schema(request=PlacementCreateSerializer, responses={201: PlacementSerializer})
    def create(self, request):
        """Place one or more children with a family. Errors: 409 carer_full, 409 child_already_placed,
        400 carer_not_approved, approval_review_overdue, safeguarding_concern, excluded_for_child,
        sibling_group_split, child_not_placeable; 400 with "overridable": true for the fit rules
        (age_out_of_range, sex_not_accepted, sibling_group_too_large, need_not_supported,
        care_type_not_offered) unless an override_reason is given; 400 {"match": [...]} for a match
        run the caller cannot read or that ranked none of the children."""
        data = PlacementCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        placement = placement_create(
            actor=request.user,
            carer=values["carer"],
            children=values["children"],
            start_date=values["start_date"],
            care_type=values["care_type"],
            match_id=values.get("match"),
            social_worker=values.get("social_worker") or None,
            split_reason=values.get("split_reason", ""),
            override_reason=values.get("override_reason", ""),
        )
        body = PlacementSerializer(placement_detail(placement_id=placement.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlacementEndSerializer, responses={200: PlacementSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End an active placement: future visits are cancelled; the children's status follows the reason."""
        placement = get_object_or_404(placements_visible_to(request.user), pk=pk)
        data = PlacementEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        placement_end(actor=request.user, placement=placement, **data.validated_data)
        return Response(PlacementSerializer(placement_detail(placement_id=placement.pk)).data)


class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Follow-up visits, soonest due first. A social worker sees only the visits of their placements."""

    permission_classes = [HasCapability.for_("visits.complete", read="visits.read")]
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    pagination_class = KeysetPagination

    def get_queryset(self):
        return visit_list(user=self.request.user)

    @extend_schema(request=VisitCompleteSerializer, responses={200: VisitSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Record a visit made. An urgent outcome alerts the province's supervisors."""
        visit = get_object_or_404(visits_visible_to(request.user), pk=pk)
        data = VisitCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit_complete(actor=request.user, visit=visit, **data.validated_data)
        return Response(VisitSerializer(visit_list(user=request.user).get(pk=visit.pk)).data)

    @extend_schema(request=VisitAcknowledgeSerializer, responses={200: VisitSerializer})
    @action(detail=True, methods=["post"], permission_classes=[HasCapability.for_("visits.acknowledge")])
    def acknowledge(self, request, pk=None):
        """A supervisor records what was done about an urgent outcome (and may schedule an extra visit).
        Errors: 400 invalid_transition (not an urgent outcome), 409 visit_already_acknowledged,
        409 placement_ended (an extra visit asked for an ended placement)."""
        visit = get_object_or_404(visits_visible_to(request.user), pk=pk)
        data = VisitAcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit_acknowledge(actor=request.user, visit=visit, **data.validated_data)
        return Response(VisitSerializer(visit_list(user=request.user).get(pk=visit.pk)).data)


extra_urls: list = []


def register_routes(router) -> None:
    """Add this area's viewsets to the API router."""
    router.register("placements", PlacementViewSet, basename="placement")
    router.register("visits", VisitViewSet, basename="visit")

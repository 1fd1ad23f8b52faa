"""HTTP side of matching (API.md, "Matching"): match runs, explanations and batch plans."""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from matching import selectors, services
from matching.core import COMPONENTS, EFFECTS, Weights
from matching.explanations import contributions, explanation, in_words, sentences
from matching.models import BatchPlan, MatchingPolicy, MatchOutreach
from register.api.fields import BoundedListField, reason_field
from register.api.permissions import HasCapability
from register.api.placements import PlacementSerializer
from register.inputs.limits import MAX_BATCH_CHILDREN
from register.models import Child, Institution, Province
from register.scoping import scope_to_user
from register.selectors.placements import placement_detail

CanMatch = HasCapability.for_("matches.run")


# --- Serializers --------------------------------------------------------------------------------
class MatchRequestSerializer(serializers.Serializer):
    child = serializers.UUIDField()
    limit = serializers.IntegerField(min_value=1, max_value=200, default=20)


class ContributionSerializer(serializers.Serializer):
    factor = serializers.CharField(help_text=_("The score component."))
    value = serializers.FloatField(min_value=0, max_value=1, help_text=_("The component's value for this family."))
    weight = serializers.FloatField(help_text=_("The component's weight in the run's matching policy."))
    points = serializers.FloatField(
        help_text=_(
            "What the component added to the score: weight times value, divided by the weights that apply; "
            "they add up to the score."
        )
    )
    effect = serializers.ChoiceField(
        choices=EFFECTS,
        help_text=_("for: the value is above 0.5 (what is given when nothing is known); against: below; neutral: 0.5."),
    )
    text = serializers.CharField(help_text=_("The family's value beside the child's, in words."))


def _candidate_body(stored: dict) -> dict:
    """A stored candidate or proposal as the API gives it: contributions and explanation in words."""
    body = {k: v for k, v in stored.items() if k not in ("facts", "contributions")}
    body["contributions"], body["explanation"] = in_words(stored)
    return body


class CandidateSerializer(serializers.Serializer):
    carer = serializers.CharField()
    rank = serializers.IntegerField()
    score = serializers.FloatField(min_value=0, max_value=1)
    distance_km = serializers.FloatField(allow_null=True)
    components = serializers.DictField(child=serializers.FloatField())
    contributions = ContributionSerializer(many=True)
    explanation = serializers.ListField(child=serializers.CharField())


class OutreachSerializer(serializers.Serializer):
    carer = serializers.CharField(source="carer_id")
    outcome = serializers.ChoiceField(choices=MatchOutreach.Outcome.choices)
    note = serializers.CharField(allow_blank=True)
    by = serializers.CharField(source="by.username", allow_null=True, default=None)
    at = serializers.DateTimeField()


class OutreachRequestSerializer(serializers.Serializer):
    carer = serializers.UUIDField()
    outcome = serializers.ChoiceField(choices=MatchOutreach.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class MatchRunSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    children = serializers.ListField(child=serializers.CharField())
    policy_version = serializers.IntegerField(source="policy_id")
    created_at = serializers.DateTimeField()
    requested_by = serializers.CharField(source="requested_by.username", allow_null=True, default=None)
    candidates = serializers.SerializerMethodField()
    eligible_count = serializers.IntegerField()
    excluded_count = serializers.IntegerField()
    excluded_by_reason = serializers.DictField(child=serializers.IntegerField())
    outreach = serializers.SerializerMethodField(help_text=_("Calls to the run's families, newest first."))

    @extend_schema_field(OutreachSerializer(many=True))
    def get_outreach(self, run) -> list[dict]:
        return OutreachSerializer(run.outreach.all(), many=True).data

    @extend_schema_field(CandidateSerializer(many=True))
    def get_candidates(self, run) -> list[dict]:
        return [_candidate_body(c) for c in run.candidates]

    def to_representation(self, run):
        data = super().to_representation(run)
        user = _reader(self)
        if user is not None and not user.is_national:
            # A run filed under the reader's province may rank another province's families (a
            # national administrator's run): the reader sees only their own provinces' records.
            seen = selectors.visible_ids(user=user, carers=[c["carer"] for c in run.candidates], children=run.children)
            data["children"] = [i for i in data["children"] if i in seen]
            data["candidates"] = [c for c in data["candidates"] if c["carer"] in seen]
            data["outreach"] = [o for o in data["outreach"] if o["carer"] in seen]
        return data


def _reader(serializer):
    """The user the representation is for (None when the schema generator builds it)."""
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class ExplainSerializer(serializers.Serializer):
    carer = serializers.CharField()
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    rank = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    components = serializers.DictField(child=serializers.FloatField())
    contributions = ContributionSerializer(many=True)
    explanation = serializers.ListField(child=serializers.CharField())


class BatchRequestSerializer(serializers.Serializer):
    institution = serializers.UUIDField(required=False)
    children = BoundedListField(
        name="batch.children",
        child=serializers.UUIDField(),
        required=False,
        min_length=1,
        max_length=MAX_BATCH_CHILDREN,
    )

    def validate(self, attrs):
        if ("institution" in attrs) == ("children" in attrs):
            raise serializers.ValidationError(_("Give either an institution or a list of children, not both."))
        return attrs


class BatchQueuedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()


class ProposalSerializer(serializers.Serializer):
    # The proposal's number for confirm/ (its place in the plan, which a reader may see only part of).
    index = serializers.IntegerField(required=False)
    children = serializers.ListField(child=serializers.CharField())
    carer = serializers.CharField()
    score = serializers.FloatField(
        help_text=_(
            "The family's score for these children, 0 to 1, as in a match; the plan's total adds it once per child."
        )
    )
    contributions = ContributionSerializer(many=True)
    explanation = serializers.ListField(child=serializers.CharField())
    placement = serializers.CharField(
        required=False, help_text=_("The placement made when the proposal was confirmed.")
    )


class UnassignedSerializer(serializers.Serializer):
    children = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()


class BatchPlanSerializer(serializers.ModelSerializer):
    proposals = serializers.SerializerMethodField()
    unassigned = UnassignedSerializer(many=True)
    policy_version = serializers.IntegerField(source="policy_id")

    class Meta:
        model = BatchPlan
        fields = [
            "id",
            "status",
            "progress",
            "institution",
            "children",
            "proposals",
            "unassigned",
            "total_score",
            "greedy_total_score",
            "optimal",
            "gap",
            "policy_version",
            "created_at",
            "finished_at",
            "error",
        ]
        extra_kwargs = {
            "total_score": {
                "help_text": _(
                    "The sum over the proposals of children times score: each child counts its family's score (0 to 1)."
                )
            },
            "greedy_total_score": {"help_text": _("The same total for the simple plan (best family first).")},
        }

    @extend_schema_field(ProposalSerializer(many=True))
    def get_proposals(self, plan) -> list[dict]:
        proposals = [{**_candidate_body(p), "index": n} for n, p in enumerate(plan.proposals)]
        return ProposalSerializer(proposals, many=True).data

    def to_representation(self, plan):
        data = super().to_representation(plan)
        user = _reader(self)
        if user is not None and not user.is_national:
            # A plan filed under the reader's province may name another province's children and
            # families (a national administrator's plan): only the reader's own records are shown,
            # and a proposal only when its family and every child are theirs.
            seen = selectors.visible_ids(
                user=user,
                carers=[p["carer"] for p in plan.proposals],
                children=[*plan.children, *(i for p in plan.proposals for i in p["children"])]
                + [i for u in plan.unassigned for i in u["children"]],
            )
            data["children"] = [i for i in data["children"] if i in seen]
            data["proposals"] = [
                p for p in data["proposals"] if p["carer"] in seen and all(i in seen for i in p["children"])
            ]
            unassigned = [{**u, "children": [i for i in u["children"] if i in seen]} for u in data["unassigned"]]
            data["unassigned"] = [u for u in unassigned if u["children"]]
        return data


class PolicyPreviewRequestSerializer(serializers.Serializer):
    weights = serializers.DictField(
        child=serializers.FloatField(min_value=0),
        help_text=_("The draft's component weights; a component left out keeps the weight in force."),
    )
    distance_scale_km = serializers.FloatField(required=False, min_value=0.1, max_value=1000)
    runs = serializers.IntegerField(min_value=1, max_value=500, default=200)

    def validate_weights(self, value):
        unknown = sorted(set(value) - set(COMPONENTS))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown components: %(names)s. Known: %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(COMPONENTS)}
            )
        return value

    def draft(self) -> Weights:
        current = MatchingPolicy.current()
        weights = {**current.weights, **self.validated_data["weights"]}
        if not any(float(weights.get(c, 0)) > 0 for c in COMPONENTS):
            raise serializers.ValidationError({"weights": [_("At least one weight must be above 0.")]})
        scale = self.validated_data.get("distance_scale_km", current.distance_scale_km)
        return Weights.from_mapping({**weights, "distance_scale_km": scale})


class PolicyPreviewSerializer(serializers.Serializer):
    runs = serializers.IntegerField(help_text=_("Runs compared (those with at least one family eligible)."))
    top1_changed = serializers.IntegerField(help_text=_("Runs whose first family would change."))
    placed_families = serializers.IntegerField(help_text=_("Runs from which a family was placed."))
    mean_rank_shift_of_placed_family = serializers.FloatField(
        allow_null=True, help_text=_("Mean of the placed family's new rank minus its rank now (negative: up).")
    )
    kendall_tau_median = serializers.FloatField(
        allow_null=True, help_text=_("Median Kendall's tau between the two orders (1: the same order).")
    )


class OutcomesQuerySerializer(serializers.Serializer):
    province = serializers.CharField(required=False, max_length=2, help_text=_("A province code."))
    policy_version = serializers.IntegerField(required=False, min_value=1)

    def validate_province(self, value):
        if not Province.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("No province has the code %(code)s.") % {"code": value})
        return value


class OutcomeCountsSerializer(serializers.Serializer):
    placements = serializers.IntegerField(help_text=_("Placements made from a match run of this policy."))
    observed_90d = serializers.IntegerField(help_text=_("Of them, started 90 days ago or more (or broken down)."))
    breakdowns_90d = serializers.IntegerField(help_text=_("Ended in breakdown within 90 days of the start."))
    breakdown_rate_90d = serializers.FloatField(allow_null=True, help_text=_("breakdowns_90d / observed_90d."))
    observed_12m = serializers.IntegerField(help_text=_("Of them, started 12 months ago or more (or broken down)."))
    breakdowns_12m = serializers.IntegerField(help_text=_("Ended in breakdown within 12 months of the start."))
    breakdown_rate_12m = serializers.FloatField(allow_null=True, help_text=_("breakdowns_12m / observed_12m."))


class RankOutcomeSerializer(OutcomeCountsSerializer):
    rank = serializers.ChoiceField(
        choices=["1", "2-3", "4-10", "11+", "unranked"], help_text=_("The rank of the family chosen, in bands.")
    )


class PolicyOutcomeSerializer(OutcomeCountsSerializer):
    policy_version = serializers.IntegerField()
    by_rank = RankOutcomeSerializer(many=True)


class MatchingOutcomesSerializer(serializers.Serializer):
    results = PolicyOutcomeSerializer(many=True)


# --- Views ---------------------------------------------------------------------------------------
def _visible_children(user):
    return scope_to_user(Child.objects.select_related("sibling_group"), user)


class MatchCreateView(APIView):
    permission_classes = [CanMatch]

    @extend_schema(request=MatchRequestSerializer, responses={201: MatchRunSerializer})
    def post(self, request):
        data = MatchRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        child = _visible_children(request.user).filter(pk=data.validated_data["child"]).first()
        if child is None:
            raise serializers.ValidationError({"child": [_("No such child in your provinces.")]})
        run = services.match_run_create(actor=request.user, child=child, limit=data.validated_data["limit"])
        return Response(MatchRunSerializer(run, context={"request": request}).data, status=status.HTTP_201_CREATED)


class MatchDetailView(APIView):
    permission_classes = [CanMatch]

    @extend_schema(responses={200: MatchRunSerializer})
    def get(self, request, pk):
        run = get_object_or_404(selectors.match_runs(user=request.user), pk=pk)
        return Response(MatchRunSerializer(run, context={"request": request}).data)


class MatchOutreachView(APIView):
    """Record a call to one of the run's families: the run is the officer's worklist."""

    permission_classes = [CanMatch]

    @extend_schema(request=OutreachRequestSerializer, responses={201: MatchRunSerializer})
    def post(self, request, pk):
        run = get_object_or_404(selectors.match_runs(user=request.user), pk=pk)
        data = OutreachRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.match_outreach_record(
            actor=request.user,
            run=run,
            carer_id=data.validated_data["carer"],
            outcome=data.validated_data["outcome"],
            note=data.validated_data["note"],
        )
        run = selectors.match_runs(user=request.user).get(pk=run.pk)
        return Response(MatchRunSerializer(run, context={"request": request}).data, status=status.HTTP_201_CREATED)


class MatchExplainView(APIView):
    permission_classes = [CanMatch]

    @extend_schema(
        parameters=[OpenApiParameter("carer", str, required=True, description="The family's id")],
        responses={200: ExplainSerializer},
    )
    def get(self, request, pk):
        run = get_object_or_404(selectors.match_runs(user=request.user), pk=pk)
        carer = request.query_params.get("carer", "")
        if not carer:
            raise serializers.ValidationError({"carer": [_("This query parameter is required.")]})
        result = services.match_explain(run=run, carer_id=carer, actor=request.user)
        if not result:
            return Response({"detail": _("No such family in your provinces."), "code": "not_found"}, status=404)
        result["explanation"] = explanation(result) if result["eligible"] else sentences(result["facts"])
        result["contributions"] = contributions(result["contributions"])
        return Response(ExplainSerializer(result).data)


class MatchingOutcomesView(APIView):
    """What happened to children placed from match runs, per policy version: a policy change judged
    by breakdowns, not by opinion."""

    permission_classes = [CanMatch]

    @extend_schema(parameters=[OutcomesQuerySerializer], responses={200: MatchingOutcomesSerializer})
    def get(self, request):
        query = OutcomesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = selectors.matching_outcomes(user=request.user, today=timezone.localdate(), **query.validated_data)
        return Response(MatchingOutcomesSerializer({"results": results}).data)


class PolicyPreviewView(APIView):
    """How a draft policy would have ranked the last runs, before it is saved. Nothing is stored."""

    permission_classes = [HasCapability.for_("policies.write")]

    @extend_schema(request=PolicyPreviewRequestSerializer, responses={200: PolicyPreviewSerializer})
    def post(self, request):
        data = PolicyPreviewRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = data.draft()
        result = selectors.policy_preview(user=request.user, weights=draft, runs=data.validated_data["runs"])
        return Response(PolicyPreviewSerializer(result).data)


class BatchCreateView(APIView):
    permission_classes = [CanMatch]

    @extend_schema(request=BatchRequestSerializer, responses={202: BatchQueuedSerializer})
    def post(self, request):
        data = BatchRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visible = _visible_children(request.user)
        institution = None
        if "institution" in data.validated_data:
            institution = (
                scope_to_user(Institution.objects.all(), request.user)
                .filter(pk=data.validated_data["institution"])
                .first()
            )
            if institution is None:
                raise serializers.ValidationError({"institution": [_("No such institution in your provinces.")]})
            children = list(visible.filter(institution=institution, status__in=services.adapter.PLACEABLE))
        else:
            wanted = set(data.validated_data["children"])
            children = list(visible.filter(pk__in=wanted))
            missing = sorted(str(i) for i in wanted - {c.pk for c in children})
            if missing:
                raise serializers.ValidationError(
                    {"children": [_("No such children in your provinces: %(ids)s") % {"ids": ", ".join(missing)}]}
                )
        plan = services.batch_plan_create(actor=request.user, children=children, institution=institution)
        return Response(BatchQueuedSerializer(plan).data, status=status.HTTP_202_ACCEPTED)


class BatchDetailView(APIView):
    permission_classes = [CanMatch]

    @extend_schema(responses={200: BatchPlanSerializer})
    def get(self, request, pk):
        plan = get_object_or_404(selectors.batch_plans(user=request.user), pk=pk)
        return Response(BatchPlanSerializer(plan, context={"request": request}).data)


class ConfirmSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(min_value=0, help_text=_("Index of the proposal in the plan, from 0."))
    start_date = serializers.DateField()
    social_worker = serializers.CharField(required=False, allow_blank=True)
    override_reason = reason_field(_("As for a placement: why the family is right although a fit rule now says no."))


class BatchConfirmView(APIView):
    """Confirm one proposal: it becomes a placement, with every rule checked again."""

    permission_classes = [HasCapability.for_("placements.write")]

    @extend_schema(request=ConfirmSerializer, responses={201: PlacementSerializer})
    def post(self, request, pk):
        plan = get_object_or_404(selectors.batch_plans(user=request.user), pk=pk)
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        placement = services.batch_proposal_confirm(
            actor=request.user,
            plan=plan,
            index=data.validated_data["proposal"],
            start_date=data.validated_data["start_date"],
            social_worker=data.validated_data.get("social_worker") or None,
            override_reason=data.validated_data["override_reason"],
        )
        return Response(PlacementSerializer(placement_detail(placement_id=placement.pk)).data, status=201)


urlpatterns = [
    path("matches/", MatchCreateView.as_view(), name="match-create"),
    path("matches/<uuid:pk>/", MatchDetailView.as_view(), name="match-detail"),
    path("matches/<uuid:pk>/explain/", MatchExplainView.as_view(), name="match-explain"),
    path("matches/<uuid:pk>/outreach/", MatchOutreachView.as_view(), name="match-outreach"),
    path("matching-outcomes/", MatchingOutcomesView.as_view(), name="matching-outcomes"),
    path("matching-policies/preview/", PolicyPreviewView.as_view(), name="matching-policy-preview"),
    path("batch-matches/", BatchCreateView.as_view(), name="batch-create"),
    path("batch-matches/<uuid:pk>/", BatchDetailView.as_view(), name="batch-detail"),
    path("batch-matches/<uuid:pk>/confirm/", BatchConfirmView.as_view(), name="batch-confirm"),
]

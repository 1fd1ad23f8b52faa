"""Possible duplicates over HTTP (API.md, "Names and duplicates"; issue 14).

/api/v1/duplicates/                  list the pairs found (national_admin; supervisors: pairs inside their provinces)
/api/v1/duplicates/{id}/             one pair
/api/v1/duplicates/{id}/resolve/     POST {"decision": "not_duplicate"|"merge", "keep": id, "reason"}

and the parts the creating endpoints share: the `duplicate_reviewed` field and the 409 body's schema.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from register.api.permissions import HasCapability
from register.models import DuplicatePair
from register.rules.duplicates import CARER_REASONS, CHILD_REASONS
from register.selectors import duplicates as selectors
from register.selectors.filters import DuplicatePairFilter
from register.services import duplicates as services

REVIEW_MAX = services.REVIEW_REASON_MAX
REASON_CHOICES = [r.value for r in (*CARER_REASONS, *CHILD_REASONS)]


def duplicate_reviewed_field() -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REVIEW_MAX,
        write_only=True,
        help_text=_(
            "After a 409 possible_duplicate: why this is another person than the records listed. "
            "The record is then created, and the reason kept in the audit trail."
        ),
    )


class DuplicateCandidateSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=REASON_CHOICES))


class PossibleDuplicateSerializer(serializers.Serializer):
    """The body of 409 possible_duplicate."""

    detail = serializers.CharField()
    code = serializers.CharField()
    candidates = DuplicateCandidateSerializer(many=True, help_text=_("Matching records in your provinces."))
    elsewhere = serializers.BooleanField(
        help_text=_("A record outside your provinces matched (never which); national administrators are told.")
    )


class DuplicatePairSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=DuplicatePair.Kind.choices)
    records = serializers.SerializerMethodField()
    references = serializers.SerializerMethodField()
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=REASON_CHOICES))
    status = serializers.ChoiceField(choices=DuplicatePair.Status.choices)
    source = serializers.ChoiceField(choices=DuplicatePair.Source.choices)
    registration_note = serializers.CharField(
        help_text=_("The registrar's reason for registering the record despite the match, if so.")
    )
    found_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = serializers.CharField(source="resolved_by.username", default=None, allow_null=True)
    reason = serializers.CharField()
    kept = serializers.UUIDField(allow_null=True)

    def _records(self, pair):
        if pair.kind == DuplicatePair.Kind.CARER:
            return (pair.carer_a, pair.carer_b)
        return (pair.child_a, pair.child_b)

    def get_records(self, pair) -> list[str]:
        return [str(r.pk) for r in self._records(pair)]

    def get_references(self, pair) -> list[str]:
        return [r.reference for r in self._records(pair)]


class DuplicateResolveSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("not_duplicate", _("not the same")), ("merge", _("merge"))])
    keep = serializers.UUIDField(required=False, allow_null=True, help_text=_("For a merge: the record kept."))
    reason = serializers.CharField(max_length=REVIEW_MAX)

    def validate(self, attrs):
        pair = self.context["pair"]
        if attrs["decision"] == "merge":
            keep = attrs.get("keep")
            if keep is None:
                raise serializers.ValidationError({"keep": [_("Say which of the two records to keep.")]})
            if str(keep) not in {str(i) for i in pair.record_ids}:
                raise serializers.ValidationError({"keep": [_("Keep one of the pair's two records.")]})
        return attrs


class DuplicatePairViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pairs of records that may be one person registered twice, found on the way in or by the nightly
    finder; resolved as not the same, or merged."""

    permission_classes = [HasCapability.for_("duplicates.resolve")]
    serializer_class = DuplicatePairSerializer
    filterset_class = DuplicatePairFilter
    queryset = DuplicatePair.objects.none()  # the model, for the schema; rows come from get_queryset

    def get_queryset(self):
        return selectors.duplicate_pair_list(user=self.request.user)

    def get_object(self):
        return selectors.duplicate_pair_get(user=self.request.user, id=self.kwargs["pk"])

    @extend_schema(request=DuplicateResolveSerializer, responses=DuplicatePairSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        pair = self.get_object()
        serializer = DuplicateResolveSerializer(data=request.data, context={"pair": pair})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pair = services.duplicate_pair_resolve(
            actor=request.user, pair=pair, decision=data["decision"], keep=data.get("keep"), reason=data["reason"]
        )
        return Response(DuplicatePairSerializer(selectors.duplicate_pair_get(user=request.user, id=pair.pk)).data)


def register_routes(router) -> None:
    router.register("duplicates", DuplicatePairViewSet, basename="duplicate")


extra_urls: list = []

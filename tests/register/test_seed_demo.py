"""`manage.py seed_demo`: a realistic synthetic register, the same for the same seed, quick to make."""

import datetime
import io
import re
import time
from collections import Counter, defaultdict

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q

from register.demo import INSTITUTION_PROVINCES, seed_register
from register.models import (
    AuditEntry,
    Carer,
    CarerCheck,
    CarerTraining,
    Child,
    HouseholdMember,
    Institution,
    KinLink,
    Placement,
    PlacementChild,
    ReferenceSequence,
    SafeguardingConcern,
    SiblingGroup,
    User,
    Visit,
)
from register.services.references import reference_next

pytestmark = pytest.mark.django_db
SMALL = ["--carers", "200", "--children", "150"]


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *SMALL, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed()


def test_carers_at_every_stage_of_their_lifecycle(seeded):
    statuses = Counter(Carer.objects.values_list("status", flat=True))
    assert set(statuses) == set(Carer.Status.values)
    assert statuses["approved"] > statuses["enquiry"] > 0
    today = datetime.date.today()
    assert Carer.objects.filter(status="approved", review_due__lt=today).exists()
    assert SafeguardingConcern.objects.filter(status="open").exists()
    assert not Carer.objects.filter(
        status__in=["enquiry", "assessment", "training"], approved_on__isnull=False
    ).exists()
    assert HouseholdMember.objects.filter(relationship="spouse").exists()
    assert HouseholdMember.objects.filter(relationship="child").exists()


def test_approved_carers_meet_every_approval_requirement(seeded):
    for carer in Carer.objects.filter(status="approved").prefetch_related("checks", "trainings"):
        passed = Counter(c.kind for c in carer.checks.all() if c.result == "passed")
        assert passed["home_assessment"] and passed["police_clearance"] and passed["health_check"]
        assert passed["reference"] >= 2
        modules = {t.module_id for t in carer.trainings.all()}
        assert "core" in modules
        assert carer.review_due > carer.approved_on
    # Needs supported follow from the training done.
    for carer in Carer.objects.exclude(needs_supported=[]).prefetch_related("trainings__module"):
        covered = {n for t in carer.trainings.all() for n in t.module.supports_needs}
        assert set(carer.needs_supported) <= covered
    assert CarerTraining.objects.exclude(module_id="core").exists()
    assert CarerCheck.objects.filter(result="pending").exists()


def test_carers_are_spread_over_the_country_on_the_real_gazetteer(seeded):
    assert Carer.objects.values("province").distinct().count() == 25
    in_five = Carer.objects.filter(province__in=INSTITUTION_PROVINCES).count()
    assert in_five / Carer.objects.count() > 0.35  # 5 of 25 provinces, weighted up
    for carer in Carer.objects.select_related("commune", "village"):
        assert carer.commune.province_id == carer.province_id and carer.commune.district_id == carer.district_id
        assert carer.village is None or carer.village.commune_id == carer.commune_id
        if carer.lat is not None:
            assert 9.5 <= carer.lat <= 15 and 102 <= carer.lon <= 108
        assert carer.household_name == f"គ្រួសារ {carer.family_name}"
    assert 0.5 < Carer.objects.filter(village__isnull=False).count() / Carer.objects.count() < 0.9
    assert Carer.objects.filter(lat__isnull=False).exists()
    for ethnicity, religion, languages in Carer.objects.values_list("ethnicity", "religion", "languages"):
        if ethnicity == "cham":
            assert religion == "islam" and "cjm" in languages
        assert "km" in languages


def test_terms_of_approval_are_consistent(seeded):
    for carer in Carer.objects.all():
        assert 1 <= carer.max_children <= 4
        assert 1 <= carer.max_sibling_group <= carer.max_children
        assert carer.age_min <= carer.age_max <= 17
        assert carer.sexes_accepted and set(carer.sexes_accepted) <= {"female", "male"}
        assert carer.care_types


def test_phones_are_unique_valid_cambodian_mobiles(seeded):
    phones = list(Carer.objects.values_list("phone", flat=True))
    assert len(phones) == len(set(phones)) == 200
    for phone in phones:
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.region_code_for_number(number) == "KH"
        assert phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
        assert phone == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_references_are_well_formed_unique_and_continue_the_sequence(seeded):
    for model, prefix in ((Carer, "FC"), (Child, "CH")):
        refs = list(model.objects.values_list("reference", flat=True))
        assert len(refs) == len(set(refs))
        numbers = defaultdict(list)
        for ref in refs:
            match = re.fullmatch(rf"{prefix}-(\d\d)-(\d{{6}})", ref)
            assert match, ref
            numbers[match[1]].append(int(match[2]))
        for province, used in numbers.items():
            assert sorted(used) == list(range(1, len(used) + 1))
            assert ReferenceSequence.objects.get(prefix=prefix, province_id=province).last == max(used)
    for carer in Carer.objects.all():
        assert carer.reference[3:5] == carer.province_id
    last = ReferenceSequence.objects.get(prefix="FC", province_id="12").last
    assert reference_next(prefix="FC", province_code="12") == f"FC-12-{last + 1:06d}"


def test_institutions_are_mostly_in_the_five_provinces_of_the_mapping(seeded):
    institutions = Institution.objects.all()
    assert institutions.count() == 12
    in_five = institutions.filter(province__in=INSTITUTION_PROVINCES).count()
    assert in_five / institutions.count() >= 0.8
    assert institutions.filter(status="closing").count() >= 2
    for inst in institutions.select_related("commune"):
        assert inst.commune.province_id == inst.province_id
        assert re.search(
            r"Children's Centre|Orphanage|Children's Home|Transit Home|Group Home|Shelter|School", inst.name
        )
    assert len({i.name for i in institutions}) == institutions.count()
    in_care = Child.objects.filter(status__in=["in_residential_care", "awaiting_placement"], institution__isnull=False)
    assert in_care.filter(province__in=INSTITUTION_PROVINCES).count() / in_care.count() > 0.6
    assert not in_care.exclude(province=F("institution__province")).exists()


def test_children_have_needs_sibling_groups_kin_and_exclusions(seeded):
    children = Child.objects.all()
    assert children.count() == 150
    assert set(children.values_list("status", flat=True)) >= {"in_residential_care", "awaiting_placement", "placed"}
    with_needs = sum(1 for needs in children.values_list("needs", flat=True) if needs)
    assert 0.05 < with_needs / 150 < 0.45
    today = datetime.date.today()
    for child in children:
        age = (today - child.date_of_birth).days / 365.25
        assert 0 <= age < 18
    groups = SiblingGroup.objects.annotate(n=Count("children"))
    assert groups.exists()
    assert all(2 <= g.n <= 4 for g in groups)
    assert groups.filter(keep_together=True).exists()
    for group in groups.prefetch_related("children"):
        assert len({(c.family_name, c.home_commune_id) for c in group.children.all()}) == 1
    in_groups = children.filter(sibling_group__isnull=False).count()
    assert 0.1 < in_groups / 150 < 0.5
    kin = KinLink.objects.select_related("carer", "child__home_commune")
    assert kin.exists()
    assert all(k.carer.province_id == k.child.home_commune.province_id for k in kin)
    assert not children.filter(care_type_needed="kinship", kin__isnull=True).exists()


def test_placements_respect_capacity_terms_and_one_active_placement_per_child(seeded):
    active = Placement.objects.filter(status="active")
    assert active.exists() and Placement.objects.filter(status="ended").exists()
    approved = Carer.objects.filter(status="approved").count()
    assert 0.05 < active.count() / approved < 0.25
    over = Carer.objects.annotate(n=Count("placements__memberships", filter=Q(placements__status="active"))).filter(
        n__gt=F("max_children")
    )
    assert not over.exists()
    twice = PlacementChild.objects.filter(active=True).values("child").annotate(n=Count("id")).filter(n__gt=1)
    assert not twice.exists()
    assert not PlacementChild.objects.exclude(active=Q(placement__status="active")).exists()
    today = datetime.date.today()
    for placement in active.select_related("carer").prefetch_related("children"):
        carer = placement.carer
        assert carer.status == "approved" and carer.review_due >= today
        assert not carer.concerns.filter(status="open").exists()
        assert today - datetime.timedelta(days=735) <= placement.start_date < today
        assert placement.province_id == carer.province_id
        for child in placement.children.all():
            assert child.status == "placed" and child.province_id == carer.province_id
            if placement.care_type == "kinship":
                assert KinLink.objects.filter(child=child, carer=carer).exists()
            assert carer.age_min <= (today - child.date_of_birth).days // 365 <= carer.age_max
            assert child.sex in carer.sexes_accepted
            assert set(child.needs) <= set(carer.needs_supported)
            assert child.date_of_birth < placement.start_date
    assert not Child.objects.filter(status="placed").exclude(memberships__active=True).exists()


def test_the_dated_history_spans_two_years_and_ends_where_each_record_is_now(seeded):
    from register.models import StatusEvent

    last = {}
    for kind, pk, from_status, to_status, from_province, to_province in StatusEvent.objects.order_by(
        "on", "id"
    ).values_list("kind", "subject_id", "from_status", "to_status", "from_province_id", "to_province_id"):
        # Each event starts where the one before it left the record.
        assert (from_status, from_province) == last.get((kind, pk), ("", None))
        last[kind, pk] = (to_status, to_province)
    assert {pk: s for (kind, pk), s in last.items() if kind == "child"} == {
        c.pk: (c.status, c.province_id) for c in Child.objects.all()
    }
    assert {pk: s for (kind, pk), s in last.items() if kind == "carer"} == {
        c.pk: (c.status, c.province_id) for c in Carer.objects.all()
    }
    assert {pk: s[0] for (kind, pk), s in last.items() if kind == "placement"} == {
        p.pk: p.status for p in Placement.objects.all()
    }
    first = StatusEvent.objects.order_by("on").values_list("on", flat=True).first()
    assert first <= datetime.date.today() - datetime.timedelta(days=2 * 365)
    # Children were placed in each of the last two years.
    year_ago = datetime.date.today() - datetime.timedelta(days=365)
    assert StatusEvent.objects.filter(kind="child", to_status="placed", on__lt=year_ago).exists()
    assert StatusEvent.objects.filter(kind="child", to_status="placed", on__gte=year_ago).exists()


def test_placements_have_visits_in_the_past_and_the_future(seeded):
    today = datetime.date.today()
    for placement in Placement.objects.filter(status="active").prefetch_related("visits"):
        visits = list(placement.visits.all())
        assert [v.sequence for v in sorted(visits, key=lambda v: v.due_date)] == list(range(1, len(visits) + 1))
        assert visits[0].due_date == placement.start_date + datetime.timedelta(days=7)
        assert any(v.due_date >= today and v.state == "open" for v in visits)
        assert not any(v.due_date >= today and v.state != "open" for v in visits)
    past = Visit.objects.filter(due_date__lt=today)
    assert past.filter(state="completed").count() > past.filter(state="open").count() > 0
    for visit in Visit.objects.filter(state="completed"):
        assert visit.completed_on <= today and visit.outcome
    assert Visit.objects.filter(state="completed", outcome="concerns").exists()
    for placement in Placement.objects.filter(status="ended").prefetch_related("visits"):
        assert placement.end_date and placement.end_reason
        assert all(v.state == "cancelled" for v in placement.visits.all() if v.due_date > placement.end_date)
        assert not any(v.state == "open" for v in placement.visits.all())
    worker = User.objects.get(username="worker")
    assert not Placement.objects.filter(social_worker__isnull=False).exclude(social_worker=worker).exists()
    assert not Placement.objects.filter(province="02", social_worker__isnull=True).exists()
    assert not Placement.objects.exclude(province="02").filter(social_worker__isnull=False).exists()


def test_one_audit_entry_summarises_the_seed(seeded):
    entry = AuditEntry.objects.get(model="seed_demo")
    assert entry.action == "create" and entry.actor is None
    assert entry.changes["carers"] == 200 and entry.changes["children"] == 150
    assert AuditEntry.objects.filter(model="register.Carer").count() == 0


def test_prints_a_summary_and_the_logins(seeded):
    assert re.search(r"carers\s+200", seeded)
    assert re.search(r"children\s+150", seeded)
    assert "Demo logins" in seeded and "registrar" in seeded


def _snapshot():
    return (
        list(
            Carer.objects.order_by("reference").values_list("id", "reference", "given_name", "phone", "status", "lat")
        ),
        list(Child.objects.order_by("reference").values_list("id", "reference", "status", "sibling_group_id")),
        list(Placement.objects.order_by("id").values_list("id", "carer_id", "start_date")),
        Visit.objects.count(),
    )


class _Undo(Exception):
    pass


def _seed_and_undo(seed_value: int):
    try:
        with transaction.atomic():
            seed_register(carers=60, children=50, institutions=5, seed=seed_value)
            snap = _snapshot()
            raise _Undo
    except _Undo:
        return snap


def test_the_same_seed_gives_the_same_register():
    first = _seed_and_undo(7)
    assert first[0] and first[1] and first[2]
    assert _seed_and_undo(7) == first
    assert _seed_and_undo(8) != first


def test_if_empty_creates_nothing_twice():
    seed("--if-empty")
    before = (Carer.objects.count(), Child.objects.count(), Placement.objects.count(), User.objects.count())
    out = seed("--if-empty")
    assert (Carer.objects.count(), Child.objects.count(), Placement.objects.count(), User.objects.count()) == before
    assert "there already" in out
    assert AuditEntry.objects.filter(model="seed_demo").count() == 1


def test_seeding_again_adds_new_records_without_clashes():
    seed()
    seed("--seed", "1")
    assert Carer.objects.count() == 400
    assert Carer.objects.values("reference").distinct().count() == 400
    assert Carer.objects.values("phone").distinct().count() == 400
    assert Child.objects.values("reference").distinct().count() == 300


def test_sizes_are_set_by_options():
    call_command("seed_demo", "--carers", "30", "--children", "0", "--institutions", "0", stdout=io.StringIO())
    assert Carer.objects.count() == 30
    assert not Child.objects.exists() and not Institution.objects.exists() and not Placement.objects.exists()


def test_a_small_register_is_quick():
    started = time.perf_counter()
    seed()
    assert time.perf_counter() - started < 15

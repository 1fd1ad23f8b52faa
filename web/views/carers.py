"""The registrar's pages: the list of families, a family's page with its actions, and the
step-by-step form that adds or edits one.

Reads go through register.selectors.carers (scoped: another province's family answers 404),
writes through register.services.carers (which audit them). Every action is a small form that
htmx posts and whose section it replaces; without JavaScript the same form posts and redirects."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from register.errors import DomainError
from register.models import Carer
from register.rules.approval import approval_requirements
from register.selectors import carers as selectors
from register.selectors.filters import CarerFilter
from register.selectors.placements import placements_visible_to
from register.services import carers as services
from register.services.duplicates import PossibleDuplicate
from web.access import capability_required, user_can
from web.errors import add_service_errors
from web.forms.carers import (
    STEPS,
    CarerFilterForm,
    CheckForm,
    ConcernCloseForm,
    ConcernForm,
    HouseholdFormSet,
    PlaceStepForm,
    ReviewForm,
    StatusForm,
    TrainingForm,
    carer_initial,
    step_of_field,
)
from web.pagination import paginate
from web.rendering import render_fragment_or_page, wants_fragment
from web.views.duplicates import duplicates_context

# --- The list -----------------------------------------------------------------------------------


@capability_required("carers.read")
def carer_list(request):
    form = CarerFilterForm(request.GET or None, user=request.user)
    queryset = (
        selectors.carer_list(user=request.user)
        .select_related("commune", "district")
        .annotate(review_is_overdue=ExpressionWrapper(selectors.review_overdue_q(), output_field=BooleanField()))
    )
    # The API's FilterSet (register.selectors.filters) filters: one set of rules for both.
    filterset = CarerFilter(form.effective_filters() if form.is_bound else None, queryset=queryset)
    page = paginate(request, filterset.qs)
    context = {
        "form": form,
        "page": page,
        "can_write": user_can(request.user, "carers.write"),
    }
    if wants_fragment(request, target="carer-results"):
        # The district list follows the province: re-sent only when the province changed.
        context["district_oob"] = request.GET.get("district_for", "") != form.district_province
        return render(request, "web/carers/_results.html", context)
    return render(request, "web/carers/list.html", context)


# --- A family's page ------------------------------------------------------------------------------


@capability_required("carers.read")
def carer_detail(request, id):
    merged_into = selectors.carer_merged_into(user=request.user, id=id)
    if merged_into is not None:
        # A family merged into another (a duplicate): its page is the one kept.
        messages.info(request, _("This record was merged into another: here is the family kept."))
        return redirect("web:carer_detail", id=merged_into)
    carer = selectors.carer_detail_get(user=request.user, id=id)
    return render(request, "web/carers/detail.html", _detail_context(request, carer))


# The yearly review's notes and the stage form's reason are both "reason" on one page: their own ids, so that
# each label names its own box.
REVIEW_IDS = "id_review_%s"


def _detail_context(request, carer: Carer, **forms) -> dict:
    user = request.user
    can_write = user_can(user, "carers.write")
    can_approve = user_can(user, "carers.approve")
    targets = _status_targets(user, carer)
    missing = set(carer.approval_missing)
    requirements = [(code, label, code not in missing) for code, label in approval_requirements()]
    placements = None
    if user_can(user, "placements.read"):
        placements = (
            placements_visible_to(user)
            .filter(carer=carer)
            .select_related("social_worker")
            .prefetch_related("children")
            .order_by("-start_date", "-created_at")
        )
    return {
        "carer": carer,
        "requirements": requirements,
        "missing_labels": [label for code, label, done in requirements if not done],
        "review_overdue": selectors.carers_by_review_overdue(
            selectors.carer_list(user=user).filter(pk=carer.pk), True
        ).exists(),
        "open_concerns": [c for c in carer.concerns.all() if c.status == "open"],
        "placements": placements,
        "can_write": can_write and carer.status != Carer.Status.DEREGISTERED,
        "can_approve": can_approve,
        "status_form": forms.get("status_form") or (StatusForm(targets=targets) if targets else None),
        "review_form": forms.get("review_form")
        or (ReviewForm(auto_id=REVIEW_IDS) if can_approve and carer.status == Carer.Status.APPROVED else None),
        "check_form": forms.get("check_form") or CheckForm(),
        "training_form": forms.get("training_form") or TrainingForm(),
        "concern_form": forms.get("concern_form") or ConcernForm(),
        "close_form": forms.get("close_form"),
        "close_concern": forms.get("close_concern"),
        "missing": forms.get("missing"),
    }


def _status_targets(user, carer: Carer) -> list[str]:
    """The stages the lifecycle lets this family move to and the user may move it to."""
    allowed = services.TRANSITIONS.get(carer.status, ())
    return [t for t in Carer.Status.values if t in allowed and user_can(user, services.carer_status_capability(t))]


SECTIONS = {
    "status": "web/carers/_status.html",
    "checks": "web/carers/_checks.html",
    "trainings": "web/carers/_trainings.html",
    "concerns": "web/carers/_concerns.html",
}


def _action_response(request, carer_id, section: str, *, ok: bool, message: str = "", **forms):
    """After an action: htmx gets the section again (and the approval section, which most records
    change, out of band); a plain POST is redirected to the page on success, or gets the page with
    the form and its errors."""
    carer = selectors.carer_detail_get(user=request.user, id=carer_id)
    if ok and not request.htmx:
        messages.success(request, message)
        return redirect(reverse("web:carer_detail", args=[carer.pk]) + f"#carer-{section}")
    context = _detail_context(request, carer, **({} if ok else forms))
    if not request.htmx:
        return render(request, "web/carers/detail.html", context)
    context["flash"] = message if ok else ""
    html = render_to_string(SECTIONS[section], context, request=request)
    if section != "status":
        html += render_to_string(SECTIONS["status"], {**context, "oob": True, "flash": ""}, request=request)
    return HttpResponse(html)


@require_POST
@capability_required("carers.write")
def carer_set_status(request, id):
    carer = selectors.carer_detail_get(user=request.user, id=id)
    # Any stage may be asked for: the service says why a move is refused.
    form = StatusForm(request.POST, targets=Carer.Status.values)
    missing = None
    if form.is_valid():
        target = form.validated_data["status"]
        if not user_can(request.user, services.carer_status_capability(target)):
            raise PermissionDenied
        try:
            services.carer_set_status(
                actor=request.user, carer=carer, status=target, reason=form.validated_data["reason"]
            )
        except DomainError as exc:
            add_service_errors(form, exc)
            missing = exc.extra.get("missing") if hasattr(exc, "extra") else None
        else:
            label = Carer.Status(target).label
            return _action_response(
                request, id, "status", ok=True, message=_("Moved to %(status)s.") % {"status": label}
            )
    form.fields["status"].choices = [(t, Carer.Status(t).label) for t in _status_targets(request.user, carer)]
    return _action_response(request, id, "status", ok=False, status_form=form, missing=missing)


@require_POST
@capability_required("carers.approve")
def carer_review(request, id):
    carer = selectors.carer_get(user=request.user, id=id)
    form = ReviewForm(request.POST, auto_id=REVIEW_IDS)
    if form.is_valid():
        try:
            services.carer_review(actor=request.user, carer=carer, reason=form.validated_data["reason"])
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            return _action_response(request, id, "status", ok=True, message=_("Review recorded: approval renewed."))
    return _action_response(request, id, "status", ok=False, review_form=form)


def _record_action(request, id, *, form_class, section: str, form_name: str, write, message: str):
    carer = selectors.carer_get(user=request.user, id=id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            write(carer, form.validated_data)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            return _action_response(request, id, section, ok=True, message=message)
    return _action_response(request, id, section, ok=False, **{form_name: form})


@require_POST
@capability_required("carers.write")
def carer_check_create(request, id):
    return _record_action(
        request,
        id,
        form_class=CheckForm,
        section="checks",
        form_name="check_form",
        write=lambda carer, data: services.carer_check_create(actor=request.user, carer=carer, data=data),
        message=_("Check recorded."),
    )


@require_POST
@capability_required("carers.write")
def carer_training_record(request, id):
    return _record_action(
        request,
        id,
        form_class=TrainingForm,
        section="trainings",
        form_name="training_form",
        write=lambda carer, data: services.carer_training_record(actor=request.user, carer=carer, **data),
        message=_("Training recorded."),
    )


@require_POST
@capability_required("carers.write")
def carer_concern_create(request, id):
    return _record_action(
        request,
        id,
        form_class=ConcernForm,
        section="concerns",
        form_name="concern_form",
        write=lambda carer, data: services.carer_concern_create(actor=request.user, carer=carer, data=data),
        message=_("Concern recorded. The family is left out of matching while it is open."),
    )


@require_POST
@capability_required("carers.write")
def carer_concern_close(request, id, concern_id):
    carer = selectors.carer_get(user=request.user, id=id)
    concern = selectors.carer_concern_get(carer=carer, id=concern_id)
    form = ConcernCloseForm(request.POST, concern=concern)
    if form.is_valid():
        try:
            services.carer_concern_update(actor=request.user, concern=concern, data=form.validated_data)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            return _action_response(request, id, "concerns", ok=True, message=_("Concern closed."))
    return _action_response(request, id, "concerns", ok=False, close_form=form, close_concern=concern.pk)


# --- Adding and editing: a form in steps, kept in the session until the last step ----------------


@capability_required("carers.write")
def carer_create(request):
    return _carer_form(request, carer=None)


@capability_required("carers.write")
def carer_edit(request, id):
    carer = selectors.carer_get(user=request.user, id=id)
    if carer.status == Carer.Status.DEREGISTERED:
        raise Http404
    return _carer_form(request, carer=carer)


def _state_key(carer) -> str:
    return f"web.carer_form.{carer.pk if carer else 'new'}"


def _carer_form(request, *, carer):
    key = _state_key(carer)
    initial = carer_initial(carer) if carer else {}
    state = request.session.get(key)
    if request.method != "POST" or state is None:
        # A fresh start on every visit: nothing half-typed lingers into another family.
        state = {"step": 0, "reached": 0, "data": {}}
        request.session[key] = state
        if request.method == "POST":
            messages.warning(request, _("The form had expired: please start again."))
        return _render_step(request, carer, 0, _step_form(request, carer, 0, state, initial), state)

    try:
        step = min(max(int(request.POST.get("step", state["step"])), 0), state["reached"])
    except ValueError:
        step = state["step"]
    action = request.POST.get("action", "next")
    data = {k: request.POST.getlist(k) for k in request.POST if k not in ("csrfmiddlewaretoken", "action", "step")}
    if action == "add_member" and STEPS[step][0] == "household":
        try:
            total = int((data.get("members-TOTAL_FORMS") or ["0"])[0] or 0)
        except ValueError:  # a tampered count: start the list again rather than fail
            total = 0
        data["members-TOTAL_FORMS"] = [str(min(max(total, 0) + 1, 20))]
    state["data"][STEPS[step][0]] = data
    request.session.modified = True
    form = _step_form(request, carer, step, state, initial)

    if action == "add_member":
        return _render_step(request, carer, step, form, state)
    if action == "back":
        # Going back keeps what was typed; it is checked again on the way forward.
        step = max(step - 1, 0)
        return _save_state_and_render(request, carer, step, state, initial)
    if not form.is_valid():
        return _render_step(request, carer, step, form, state)
    if step < len(STEPS) - 1:
        step += 1
        state["reached"] = max(state["reached"], step)
        return _save_state_and_render(request, carer, step, state, initial)
    return _carer_save(request, carer, state, initial)


def _save_state_and_render(request, carer, step, state, initial):
    state["step"] = step
    request.session.modified = True
    return _render_step(request, carer, step, _step_form(request, carer, step, state, initial), state)


def _step_form(request, carer, step: int, state: dict, initial: dict):
    key, _title, form_class = STEPS[step]
    stored = state["data"].get(key)
    bound = None
    if stored is not None:
        bound = QueryDict(mutable=True)
        for name, values in stored.items():
            bound.setlist(name, values)
    if form_class is HouseholdFormSet:
        return form_class(bound, prefix="members", initial=None if bound is not None else initial.get(key))
    return form_class(bound, initial=initial.get(key), user=request.user, instance=carer)


def _render_step(request, carer, step: int, form, state: dict, duplicates=None):
    request.session[_state_key(carer)] = state | {"step": step}
    context = {
        # A refused registration's possible duplicates (those in the user's provinces), shown
        # beside the last step with the field that confirms it is another family.
        "duplicates": duplicates_context(duplicates) if duplicates else None,
        "carer": carer,
        "form": form,
        "step": step,
        "step_key": STEPS[step][0],
        "steps": [(i, title) for i, (_k, title, _c) in enumerate(STEPS)],
        "last": step == len(STEPS) - 1,
        "action_url": reverse("web:carer_edit", args=[carer.pk]) if carer else reverse("web:carer_create"),
    }
    return render_fragment_or_page(request, "web/carers/_form_step.html", "web/carers/form.html", context)


def _carer_save(request, carer, state: dict, initial: dict):
    """The last step: every step checked again (register.inputs' field rules), then the whole family
    through carer_create / carer_update. A refusal sends the user to the step showing the field."""
    forms = [_step_form(request, carer, i, state, initial) for i in range(len(STEPS))]
    for i, form in enumerate(forms):
        if not form.is_valid():
            return _save_state_and_render_form(request, carer, i, form, state)
    data: dict = {}
    for i, form in enumerate(forms):
        if STEPS[i][0] == "household":
            data["household_members"] = form.members()
            for member in data["household_members"]:
                member.pop("DELETE", None)
        else:
            data.update(form.values())
    reviewed = (state["data"].get(STEPS[-1][0], {}).get("duplicate_reviewed") or [""])[0]
    try:
        if carer is None:
            saved = services.carer_create(actor=request.user, data=data, duplicate_reviewed=reviewed)
            message = _("Family registered as %(reference)s.") % {"reference": saved.reference}
        else:
            saved = services.carer_update(actor=request.user, carer=carer, data=data)
            message = _("Changes saved.")
    except PossibleDuplicate as refusal:
        last = len(STEPS) - 1
        state["step"] = last
        request.session.modified = True
        return _render_step(request, carer, last, forms[last], state, duplicates=refusal.check)
    except (ValidationError, DomainError) as exc:
        detail = exc
        step = _step_of_error(detail)
        form = forms[step]
        add_service_errors(form if step != 2 else form.forms[0] if form.forms else _NoForm(), detail)
        return _save_state_and_render_form(request, carer, step, form, state)
    request.session.pop(_state_key(carer), None)
    messages.success(request, message)
    url = reverse("web:carer_detail", args=[saved.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


class _NoForm:
    fields: dict = {}

    def add_error(self, field, error):
        pass


def _step_of_error(detail) -> int:
    if isinstance(detail, DomainError):
        return len(STEPS) - 1
    names = list(detail.error_dict) if hasattr(detail, "error_dict") else []
    return min((step_of_field(n or "") for n in names), default=len(STEPS) - 1)


def _save_state_and_render_form(request, carer, step, form, state):
    state["step"] = step
    request.session.modified = True
    return _render_step(request, carer, step, form, state)


@require_GET
@capability_required("carers.write")
def carer_places(request):
    """The next list of the place chain (districts of a province, communes of a district, villages
    of a commune), with the lists below it emptied: htmx swaps it in when a list changes."""
    level = request.GET.get("level")
    if level not in ("district", "commune", "village"):
        raise Http404
    form = PlaceStepForm(initial=request.GET.dict(), user=request.user)
    return render(request, f"web/carers/_place_{level}.html", {"form": form})


urlpatterns = [
    path("carers/", carer_list, name="carer_list"),
    path("carers/new/", carer_create, name="carer_create"),
    path("carers/places/", carer_places, name="carer_places"),
    path("carers/<uuid:id>/", carer_detail, name="carer_detail"),
    path("carers/<uuid:id>/edit/", carer_edit, name="carer_edit"),
    path("carers/<uuid:id>/status/", carer_set_status, name="carer_status"),
    path("carers/<uuid:id>/review/", carer_review, name="carer_review"),
    path("carers/<uuid:id>/checks/", carer_check_create, name="carer_check"),
    path("carers/<uuid:id>/trainings/", carer_training_record, name="carer_training"),
    path("carers/<uuid:id>/concerns/", carer_concern_create, name="carer_concern"),
    path("carers/<uuid:id>/concerns/<uuid:concern_id>/close/", carer_concern_close, name="carer_concern_close"),
]

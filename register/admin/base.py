"""Base classes for the admin: every write through a service; reference data read-only.

The admin is one more door to the register, held to the same rules as the API: a page's add and
change forms, its inlines, its delete page and its bulk actions call the register's services (which
check jurisdiction, validate and audit in one transaction), never `obj.save()`. A service's refusal
shows as a form error naming the field, and nothing of the refused save is kept.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Subquery
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from register.errors import DomainError
from register.models import AuditEntry, Carer, Child, Institution
from register.roles import role_has
from register.scoping import scope_to_user
from register.selectors.children import child_list, institution_list
from register.services.policies import policy_version_create

# What a service raises when a rule says no (a bug still raises anything else, and shows as one).
REFUSALS = (ValidationError, DomainError)


class AuditHistoryMixin:
    """The admin's "History" page shows the record's audit trail (every write through the API, the
    services or the admin, and every read of a child's record), read-only."""

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        entries = AuditEntry.objects.filter(model=obj._meta.label, object_id=str(obj.pk)).order_by("-at")[:500]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Audit history: %(record)s") % {"record": obj},
            "subtitle": None,
            "object": obj,
            "opts": self.model._meta,
            "entries": entries,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/audit_history.html", context)


def scoped_choices(model, user):
    """The rows of `model` a user may name in a form (None: not a record bound to a province).
    The same selectors as the API's, so that a dropdown, an autocomplete and a raw id all offer and
    accept only the records of the user's provinces."""
    if model is Carer:
        return scope_to_user(Carer.objects.all(), user)
    if model is Institution:
        return institution_list(user=user)
    if model is Child:
        return child_list(user=user)
    return None


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw id box that names the chosen record only if the user may see it: Django's looks the id
    up in the whole table, so a form shown again would name another province's record."""

    def __init__(self, rel, admin_site, queryset, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            visible = self.queryset.filter(**{key: value}).exists()
        except (ValueError, ValidationError):
            visible = False
        return super().label_and_url_for_value(value) if visible else ("", "")


class ScopedChoicesMixin:
    """Foreign keys to records (families, institutions, children) offer only the user's provinces'."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = scoped_choices(db_field.related_model, request.user)
        if queryset is not None:
            kwargs["queryset"] = queryset
            if db_field.name in self.raw_id_fields:
                kwargs["widget"] = ScopedRawIdWidget(db_field.remote_field, self.admin_site, queryset)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def refusal_messages(refusal: Exception) -> list[tuple[str | None, str]]:
    """[(field or None, message)] of a service's refusal."""
    if isinstance(refusal, DomainError):
        return [(refusal.extra.get("field"), str(refusal.detail))]
    if hasattr(refusal, "error_dict"):
        return [(field, message) for field, items in refusal.message_dict.items() for message in items]
    return [(None, message) for message in refusal.messages]


def _form_with_refusal(form_class, refusal: Exception, labels):
    """The same form, invalid with the service's errors: on a field of the form under it, else at
    the top naming the field (an inline's, or one the form does not show)."""

    def clean(self):
        cleaned = super(refused, self).clean()
        for field, message in refusal_messages(refusal):
            if field in self.fields:
                self.add_error(field, message)
            elif field and field != "__all__":
                self.add_error(None, f"{labels(field)}: {message}")
            else:
                self.add_error(None, message)
        return cleaned

    refused = type(form_class.__name__, (form_class,), {"clean": clean})
    return refused


class ServiceAdmin(ScopedChoicesMixin, AuditHistoryMixin, admin.ModelAdmin):
    """An admin page whose writes go through the register's services.

    `service_save(request, form, formsets, change)` does the add or change (with its inlines'
    data) and returns the saved record; `service_delete(request, obj)` deletes one. A page without
    `service_delete` cannot delete. The service audits; the admin adds nothing of its own."""

    # Labels of the service's field names that the form does not show (kin, excluded_carers...).
    refusal_labels: dict = {}

    def service_save(self, request, form, formsets, change):
        raise NotImplementedError(f"{type(self).__name__} saves through no service")

    def service_delete(self, request, obj):
        raise PermissionDenied

    def has_delete_permission(self, request, obj=None):
        if type(self).service_delete is ServiceAdmin.service_delete:
            return False
        return super().has_delete_permission(request, obj)

    # --- Django's write hooks, each routed to the service -------------------------------------------
    def save_model(self, request, obj, form, change):
        # Nothing yet: the service is called in save_related, once the inlines' data is known too.
        pass

    def save_related(self, request, form, formsets, change):
        saved = self.service_save(request, form, formsets, change)
        if saved is not None and saved is not form.instance:
            # The page goes on with form.instance (its id for the redirect, the admin's log).
            form.instance.__dict__.update(saved.__dict__)

    def construct_change_message(self, request, form, formsets, add=False):
        # The inlines were written by the service, not by formset.save(): the admin's own log names
        # the changed fields only (the audit trail has the whole change).
        return super().construct_change_message(request, form, [], add)

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        # "Delete selected": row by row through the service, all or none.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    # --- A refusal: the form again with the errors, nothing kept ------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        return form if refusal is None else _form_with_refusal(form, refusal, self._label)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as refusal:
            # Everything the save did is rolled back; the page is built again from the same POST,
            # its form carrying the service's errors, so it shows them and saves nothing.
            request._service_refusal = refusal
            # What must outlive the refusal (a notice to national administrators), done again now that
            # the rollback is over: done inside it by a task run in-process, it was rolled back too.
            for action in getattr(request, "_after_rollback", ()):
                action()
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            with transaction.atomic():
                return super().delete_view(request, object_id, extra_context)
        except REFUSALS as refusal:
            self._message_refusal(request, refusal)
            return HttpResponseRedirect(request.path)

    def response_action(self, request, queryset):
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except REFUSALS as refusal:
            self._message_refusal(request, refusal)
            return HttpResponseRedirect(request.get_full_path())

    def _message_refusal(self, request, refusal) -> None:
        for field, message in refusal_messages(refusal):
            text = f"{self._label(field)}: {message}" if field and field != "__all__" else message
            self.message_user(request, text, messages.ERROR)

    def _label(self, field: str) -> str:
        """The field's name as the page shows it: of the record, else of an inline's row."""
        if field in self.refusal_labels:
            return str(self.refusal_labels[field])
        for model in (self.model, *(inline.model for inline in self.inlines)):
            try:
                verbose = model._meta.get_field(field).verbose_name
            except FieldDoesNotExist:
                continue
            if model is self.model:
                return str(capfirst(verbose))
            return f"{capfirst(model._meta.verbose_name)}, {verbose}"
        return field.replace("_", " ")


def changed_values(form, fields) -> dict:
    """The cleaned values of `fields` the user changed on the form (a partial update: a field left as
    it was is not sent, so an old value elsewhere than the user's provinces is not re-checked)."""
    return {f: form.cleaned_data[f] for f in fields if f in form.changed_data and f in form.cleaned_data}


class CapabilityAdminMixin:
    """Admin permissions from the role's capabilities (register/roles.py), not Django's model
    permissions, so the admin and the API agree on who may do what."""

    read_capability = ""
    write_capability = ""

    def _may(self, request, capability: str) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or role_has(user.role, capability))

    def has_module_permission(self, request):
        return self._may(request, self.read_capability)

    def has_view_permission(self, request, obj=None):
        return self._may(request, self.read_capability)

    def has_add_permission(self, request, *args):
        return self._may(request, self.write_capability)

    def has_change_permission(self, request, obj=None):
        return self._may(request, self.write_capability)

    def has_delete_permission(self, request, obj=None):
        # Records of children and institutions are kept: statuses say what happened.
        return False


class PermissionAndCapabilityMixin:
    """Django's model permission and, as in the API, the role's capability (register/roles.py): a
    provincial account given model permissions in the admin still does only what its role may."""

    read_capability = ""
    write_capability = ""

    def _may(self, request, capability: str) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or role_has(user.role, capability))

    def has_view_permission(self, request, obj=None):
        return self._may(request, self.read_capability) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._may(request, self.write_capability) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._may(request, self.write_capability) and super().has_change_permission(request, obj)


class NationalOnlyMixin:
    """National data (policies, reference lists, accounts): only national administrators change it,
    whatever Django permissions a provincial account was given."""

    def _national(self, request) -> bool:
        return request.user.is_active and request.user.is_national

    def has_add_permission(self, request, *args):
        return self._national(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._national(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._national(request) and super().has_delete_permission(request, obj)


class ReadOnlyMixin:
    """Nothing added, changed or deleted here: these rows are written elsewhere (a service, a sweep)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class ScopedAdminMixin:
    """Only the rows of the user's provinces, in lists, change pages and foreign-key choices."""

    province_field = "province"

    def get_queryset(self, request):
        return scope_to_user(super().get_queryset(request), request.user, province_field=self.province_field)


class VersionedPolicyAdmin(NationalOnlyMixin, ServiceAdmin):
    """A policy that is versioned, never edited in place: "saving" adds a new version through
    `policy_version_create`, the newest is in force, and old versions stay as they were."""

    newest_first: tuple[str, ...] = ("-created_at", "-pk")

    def get_queryset(self, request):
        newest = self.model.objects.order_by(*self.newest_first).values("pk")[:1]
        return super().get_queryset(request).annotate(newest_pk=Subquery(newest))

    @admin.display(boolean=True, description=_("in force"))
    def in_force(self, obj):
        return obj.pk == obj.newest_pk

    def service_save(self, request, form, formsets, change):
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f in {x.name for x in self.model._meta.fields}}
        return policy_version_create(
            actor=request.user, model=self.model, data=data, replaces=form.instance if change else None
        )

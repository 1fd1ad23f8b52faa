import contextvars

from axes.admin import AccessAttemptAdmin as BaseAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as BaseAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as BaseAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from register.admin.base import NationalOnlyMixin, ReadOnlyAdmin, ServiceAdmin, changed_values
from register.audit import audit_read
from register.models import AuditEntry, Child, Commune, District, Province, TrainingModule, User, Village
from register.services.training_modules import (
    TRAINING_MODULE_FIELDS,
    training_module_create,
    training_module_delete,
    training_module_update,
)
from register.services.users import (
    USER_FIELDS,
    USER_RELATIONS,
    access_attempt_delete,
    auth_token_revoke,
    group_create,
    group_delete,
    group_update,
    user_create,
    user_delete,
    user_set_password,
    user_sign_out_everywhere,
    user_update,
)

# Place fields whose commune must lie in the user's provinces (as the services require): their
# autocomplete offers only those communes. A child's home or school may be anywhere.
PLACES_IN_JURISDICTION = {("register", "institution", "commune")}


class GazetteerAdmin(ReadOnlyAdmin):
    """Public reference data, read by every staff account (as the API's reference lists are), so
    that the communes autocomplete of the forms works for each of them."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(Province)
class ProvinceAdmin(GazetteerAdmin):
    list_display = ["code", "name_en", "name_km", "lat", "lon"]
    search_fields = ["code", "name_en", "name_km"]


@admin.register(District)
class DistrictAdmin(GazetteerAdmin):
    list_display = ["code", "name_en", "name_km", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name_en", "name_km"]


@admin.register(Commune)
class CommuneAdmin(GazetteerAdmin):
    list_display = ["code", "name_en", "name_km", "district", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name_en", "name_km"]
    list_select_related = ["district", "province"]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        asked = (request.GET.get("app_label"), request.GET.get("model_name"), request.GET.get("field_name"))
        if asked in PLACES_IN_JURISDICTION and not request.user.is_national:
            queryset = queryset.filter(province__in=request.user.province_codes)
        return queryset, may_have_duplicates


@admin.register(Village)
class VillageAdmin(GazetteerAdmin):
    list_display = ["code", "name_en", "name_km", "commune"]
    list_filter = ["province"]
    search_fields = ["code", "name_en", "name_km"]
    list_select_related = ["commune"]


# The administrator changing a password, for the password form's save (Django's view calls
# form.save() itself and passes the form no request).
_password_actor: contextvars.ContextVar = contextvars.ContextVar("password_actor")


class ServicePasswordChangeForm(AdminPasswordChangeForm):
    def save(self, commit=True):
        password = self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password", True) else None
        self.user = user_set_password(actor=_password_actor.get(), user=self.user, password=password)
        return self.user


@admin.register(User)
class UserAdmin(NationalOnlyMixin, ServiceAdmin, BaseUserAdmin):
    """Accounts, their role groups and provinces: national administrators only, through the
    account services (a provincial account could otherwise give itself another province)."""

    list_display = ["username", "email", "role_name", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "provinces"]
    filter_horizontal = ["groups", "provinces", "user_permissions"]
    readonly_fields = ["last_login", "date_joined"]
    change_password_form = ServicePasswordChangeForm
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Work"), {"fields": ("provinces", "phone", "preferred_language", "preferred_channel", "telegram_chat_id")}),
    )
    actions = ["sign_out_everywhere"]

    @admin.action(description=_("Sign out everywhere: end every session and API token of the selected accounts"))
    def sign_out_everywhere(self, request, queryset):
        sessions = tokens = 0
        for user in queryset:
            revoked = user_sign_out_everywhere(actor=request.user, user=user)
            sessions, tokens = sessions + revoked.sessions, tokens + revoked.tokens
        self.message_user(
            request,
            _("Browser sessions ended: %(sessions)d. API tokens revoked: %(tokens)d.")
            % {"sessions": sessions, "tokens": tokens},
        )

    @admin.display(description=_("role"))
    def role_name(self, obj):
        return obj.role or "—"

    def has_view_permission(self, request, obj=None):
        return self._national(request) and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return self._national(request) and super().has_module_permission(request)

    def service_save(self, request, form, formsets, change):
        if change:
            data = changed_values(form, (*USER_FIELDS, *USER_RELATIONS))
            return user_update(actor=request.user, user=form.instance, data=data) if data else form.instance
        data = {f: form.cleaned_data[f] for f in (*USER_FIELDS, *USER_RELATIONS) if f in form.cleaned_data}
        usable = form.cleaned_data.get("set_usable_password", True)
        return user_create(
            actor=request.user, data=data, password=form.cleaned_data.get("password1") if usable else None
        )

    def service_delete(self, request, obj):
        user_delete(actor=request.user, user=obj)

    def user_change_password(self, request, id, form_url=""):
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)


# Role groups: who holds a role is changed on the user's page; the groups themselves are written
# through the account services too (a renamed or deleted group takes its role away from everyone in it).
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(NationalOnlyMixin, ServiceAdmin, BaseGroupAdmin):
    def has_view_permission(self, request, obj=None):
        return self._national(request) and super().has_view_permission(request, obj)

    def service_save(self, request, form, formsets, change):
        if change:
            return group_update(
                actor=request.user, group=form.instance, data=changed_values(form, ("name", "permissions"))
            )
        return group_create(
            actor=request.user, name=form.cleaned_data["name"], permissions=form.cleaned_data.get("permissions", [])
        )

    def service_delete(self, request, obj):
        group_delete(actor=request.user, group=obj)


# django-axes' lockout records: deleting one unlocks an account, through the account service.
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(NationalOnlyMixin, ServiceAdmin, BaseAccessAttemptAdmin):
    # Axes' own "clean up expired attempts" action deletes without the trail: only "delete selected".
    actions = []

    def has_view_permission(self, request, obj=None):
        return self._national(request) and super().has_view_permission(request, obj)

    def service_delete(self, request, obj):
        access_attempt_delete(actor=request.user, attempt=obj)


# django-axes' own logs of logins and failures: security records of every province, for national
# administrators only (they hold no register data; axes writes them).
for _model, _base in ((AccessLog, BaseAccessLogAdmin), (AccessFailureLog, BaseAccessFailureLogAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

    class _NationalLogAdmin(NationalOnlyMixin, _base):
        def has_view_permission(self, request, obj=None):
            return self._national(request) and super().has_view_permission(request, obj)

    admin.site.register(_model, _NationalLogAdmin)


# API tokens (django-rest-knox): an administrator may revoke one (audited, as a logout through the
# API is), but never make one for somebody else or change one.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(ServiceAdmin):
    list_display = ["token_key", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["token_key", "user__username"]
    fields = ["token_key", "user", "created", "expiry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def service_delete(self, request, obj):
        auth_token_revoke(actor=request.user, token=obj)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.select_related("user"))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail: visible to national administrators, never editable by anyone."""

    list_display = ["at", "actor_username", "action", "model", "object_id", "object_repr", "province"]
    list_filter = ["action", "model", "province"]
    search_fields = ["actor_username", "object_id", "object_repr"]
    date_hierarchy = "at"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_national

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # An entry about a child shows the child's values (`changes`): reading it reads the record.
        response = super().change_view(request, object_id, form_url, extra_context)
        entry = (getattr(response, "context_data", None) or {}).get("original")
        if entry is not None and entry.model == Child._meta.label and entry.changes:
            child = Child.objects.filter(pk=entry.object_id).first()
            if child is not None:
                audit_read(actor=request.user, instance=child)
        return response


# --- Training modules (the carers area) --------------------------------------------------------


@admin.register(TrainingModule)
class TrainingModuleAdmin(NationalOnlyMixin, ServiceAdmin):
    """Reference data national administrators maintain; a module some family completed is kept."""

    list_display = ["code", "name_en", "name_km", "required_for_approval"]
    list_filter = ["required_for_approval"]
    search_fields = ["code", "name_en", "name_km"]
    fields = ["code", *TRAINING_MODULE_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def service_save(self, request, form, formsets, change):
        if change:
            data = changed_values(form, TRAINING_MODULE_FIELDS)
            return training_module_update(actor=request.user, module=form.instance, data=data)
        data = {f: form.cleaned_data.get(f) for f in TRAINING_MODULE_FIELDS}
        return training_module_create(actor=request.user, code=form.cleaned_data["code"], data=data)

    def service_delete(self, request, obj):
        training_module_delete(actor=request.user, module=obj)

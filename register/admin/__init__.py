from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

# Each module registers the admin pages of one area of the register.
from . import carers, children, imports, placements, reference  # noqa: F401

# django-otp's own admin page would show every authenticator's secret key to whoever may view it.
# Nobody needs to see one: a lost phone is reset with the audited `manage.py reset_two_factor`.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

# The admin is the register's own, in the reader's language: not "Django administration".
admin.site.site_header = admin.site.site_title = _("Family placement register")
admin.site.index_title = _("Administration")

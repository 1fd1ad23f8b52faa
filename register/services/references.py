"""Human reference numbers for paper forms: FC-02-000123 (carers), CH-02-000045 (children)."""

from django.db import transaction

from register.models import ReferenceSequence


def reference_next(*, prefix: str, province_code: str) -> str:
    """The next number of this prefix in this province. The sequence row is locked until the
    caller's transaction ends, so two people registering at once never get the same number."""
    with transaction.atomic():
        ReferenceSequence.objects.get_or_create(prefix=prefix, province_id=province_code)
        seq = ReferenceSequence.objects.select_for_update().get(prefix=prefix, province_id=province_code)
        seq.last += 1
        seq.save(update_fields=["last"])
    return f"{prefix}-{province_code}-{seq.last:06d}"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The placement service checks a placement's match run and keeps the family's rank in it;
        # the register knows no matching, so matching hands it the reader.
        from matching.selectors import match_rank_for_placement
        from register.services.placements import match_rank_reader_set

        match_rank_reader_set(match_rank_for_placement)

        # Services ask for their tasks through signals that the tasks module answers (the tasks
        # import the services, never the reverse): connect those receivers in every process.
        from matching import tasks  # noqa: F401

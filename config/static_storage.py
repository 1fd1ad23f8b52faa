"""Static files under hashed names (`app.3f2a9c1b.css`), with gzip copies beside them: whitenoise
serves a hashed name as immutable for a year, so a phone on a slow network fetches each file once
per release. The same under `make run`'s development server (which collects the files first) as
in production; Django would otherwise use plain names whenever DEBUG is on.

Before `collectstatic` has run (a fresh checkout's test run) there is no manifest, and the plain
names are used: the files are then found where they are, uncached."""

from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def url(self, name, force=False):
        try:
            return super().url(name, force=True)
        except ValueError:  # not collected: no hashed copy to name
            return StaticFilesStorage.url(self, name)

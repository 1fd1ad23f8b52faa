"""The embedded file-system broker keeps all its files under var/.

kombu's file-system transport falls back to folders relative to the working directory for any
option left unset (a ``control/`` folder of exchange tables was once committed that way), so
every folder the channel will use must resolve under ``BASE_DIR / "var"``.
"""

from pathlib import Path

import pytest
from django.conf import settings
from kombu import Connection
from kombu.transport import filesystem


def _folder_properties() -> list[str]:
    # Read from kombu itself, so a folder option added by a later kombu is checked too.
    return sorted(name for name in dir(filesystem.Channel) if name.endswith("_folder") or "_folder_" in name)


def test_kombu_channel_has_the_folders_we_expect():
    assert {"data_folder_in", "data_folder_out", "processed_folder", "control_folder"} <= set(_folder_properties())


def test_every_broker_folder_is_under_var(tmp_path, monkeypatch):
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("REDIS_URL is set: the file-system broker is not in use")
    var_dir = (Path(settings.BASE_DIR) / "var").resolve()
    # A working directory of its own: a folder left to kombu's default would resolve here.
    monkeypatch.chdir(tmp_path)
    with Connection(settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as conn:
        channel = conn.default_channel
        outside = {}
        for name in _folder_properties():
            folder = Path(getattr(channel, name)).resolve()
            if not folder.is_relative_to(var_dir):
                outside[name] = str(folder)
    assert outside == {}
    assert list(tmp_path.iterdir()) == []

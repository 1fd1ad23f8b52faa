import pytest

from matching import adapter


@pytest.fixture(autouse=True)
def fresh_matching_cache():
    """Each test builds its own register; never reuse families cached by another test."""
    adapter.forget_cache()
    yield
    adapter.forget_cache()

"""API views of this area of the register (to be written)."""

extra_urls: list = []


def register_routes(router) -> None:
    """Add this area's viewsets to the API router."""

"""DRF permission classes built on the capabilities of register/roles.py."""

from rest_framework import permissions

from register.roles import role_has


class HasCapability(permissions.BasePermission):
    """`permission_classes = [HasCapability.for_("carers.write")]`; read and write capabilities
    may differ: `HasCapability.for_("carers.write", read="carers.read")`."""

    capability = ""
    read_capability = ""

    @classmethod
    def for_(cls, capability: str, *, read: str | None = None):
        return type(
            f"Has_{capability.replace('.', '_')}",
            (cls,),
            {
                "capability": capability,
                "read_capability": read or capability,
            },
        )

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        needed = self.read_capability if request.method in permissions.SAFE_METHODS else self.capability
        return role_has(user.role, needed)

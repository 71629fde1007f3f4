"""Records made in a person's name are made in the signed-in user's: a body or query field that
names someone else (a reviewer, a feedback author) is refused, never believed."""

from __future__ import annotations

from api.errors import ApiError
from identity.policy import permits
from identity.principal import Principal


def own_user_id(
    principal: Principal, named: str | None, *, field: str, others_need: str = ""
) -> str:
    """The user id a request records as ``field``: the signed-in user's. Naming someone else
    is a 403 naming the field, unless ``others_need`` is a permission the user holds (reading
    another reviewer's progress, say); naming oneself is allowed and changes nothing."""
    wanted = (named or "").strip()
    if wanted and wanted != principal.user_id:
        if not (others_need and permits(principal, others_need)):
            raise ApiError(
                403,
                "forbidden",
                f"{field}: you act as yourself ({principal.user_id}), not as {wanted!r}",
            )
        return wanted
    return principal.user_id

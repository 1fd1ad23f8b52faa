"""Who is asking, for every API request: the tokens that bear a key, each with its user and the
user's role and provinces, in one written-out query.

django-rest-knox reads the token and its user with the ORM, then our authentication read the access
with another query. For the smallest API list that was over a third of its CPU: building and
compiling the ORM's query of 35 columns cost more than running it (issue 18). Here one query reads
what authentication and a request use; a field not read (a user's password, a token's dates) is
left deferred and loaded if ever asked for, as Django does for `only()`."""

from __future__ import annotations

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections

from register.models import User
from register.models.users import access_rows_sql

# The columns read: what authentication and a request use.
USER_FIELDS = frozenset(
    {"id", "username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser", "phone",
     "preferred_language"}
)  # fmt: skip
TOKEN_FIELDS = frozenset({"digest", "token_key", "user_id"})


def tokens_with_key(token_key: str, *, now) -> list:
    """The API tokens whose key (the token's first characters) is `token_key` and that have not
    expired by `now`, each with `.user` set and the user's role and provinces kept on it
    (User.keep_access). Usually one; knox compares each one's digest."""
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor), [token_key, connection.ops.adapt_datetimefield_value(now)])
        rows = cursor.fetchall()
    token_model = _token_model()
    token_fields, user_fields = _in_model_order(token_model, TOKEN_FIELDS), _in_model_order(User, USER_FIELDS)
    width, at_digest = len(token_fields), token_fields.index("digest")
    tokens: dict[str, object] = {}
    access: dict[str, list] = {}
    for row in rows:
        digest = row[at_digest]
        if digest not in tokens:
            token = token_model.from_db(DEFAULT_DB_ALIAS, token_fields, row[:width])
            token.user = User.from_db(DEFAULT_DB_ALIAS, user_fields, row[width : width + len(user_fields)])
            tokens[digest], access[digest] = token, []
        if row[-2] is not None:
            access[digest].append(row[-2:])
    for digest, token in tokens.items():
        token.user.keep_access(access[digest])
    return list(tokens.values())


def _token_model():
    """knox's token model, reached through its relation to the user: selectors import no knox (the
    layers' contract), as register/services/sessions.py."""
    return User.auth_token_set.field.model


@cache
def _in_model_order(model, names: frozenset[str]) -> list[str]:
    """`names` in the model's own order of columns (Model.from_db needs it)."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in names]


@cache  # by database vendor: its quoting
def _sql(vendor: str) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    token, user = _token_model()._meta, User._meta
    columns = [f"t.{quote(token.get_field(n).column)}" for n in _in_model_order(_token_model(), TOKEN_FIELDS)]
    columns += [f"u.{quote(user.get_field(n).column)}" for n in _in_model_order(User, USER_FIELDS)]
    token_user, expiry = quote(token.get_field("user").column), quote(token.get_field("expiry").column)
    return (
        f"SELECT {', '.join(columns)}, a.kind, a.value "  # noqa: S608 - the models' own names, quoted
        f"FROM {quote(token.db_table)} t "
        f"JOIN {quote(user.db_table)} u ON u.{quote(user.pk.column)} = t.{token_user} "
        f"LEFT JOIN ({access_rows_sql(quote)}) a ON a.user_id = t.{token_user} "
        f"WHERE t.{quote(token.get_field('token_key').column)} = %s AND (t.{expiry} IS NULL OR t.{expiry} > %s) "
        f"ORDER BY t.{quote(token.pk.column)}"
    )

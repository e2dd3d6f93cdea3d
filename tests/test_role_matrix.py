"""Who may do what, on every path: one table of roles × actions, each with the answer it must get.

The table is the documented roles (README, "Editorial workflow"; timeline/roles.py) written out
for every surface: admin, API, pages, feeds, preview links, topics and series. Two tests keep it
complete: every URL the site answers must be reached by some row, and every model the admin
shows gets its rows from a per-model table that must name it. A new path or model admin without
a row fails here until someone decides who may use it.

Publishers and superusers log in with a second step (timeline/two_step.py). One more column, a
publisher who gave only the password, must get on every row what an anonymous reader gets
(unless the row says otherwise in `password_only`): a stolen password alone opens nothing.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone, translation

from tests.conftest import log_in_verified
from timeline import cache
from timeline.models import Event, PreviewLink, Series, Topic
from timeline.roles import ensure_roles

ROLES = ("anonymous", "staff", "editor", "publisher", "superuser")
PASSWORD_ONLY = "publisher, password only"
PUBLIC_TITLE = "Minister Reiche trifft Minister Kiuchi"
DRAFT_TITLE = "Entwurf: Geheimes Vorgespräch"
EMBARGOED_TITLE = "Sperrfrist: Regierungskonsultationen"
NEVER_PUBLIC_TITLE = "Zurückgezogen vor der Veröffentlichung"
UNSEEN_TITLES = (DRAFT_TITLE, EMBARGOED_TITLE, NEVER_PUBLIC_TITLE)


def answers(anonymous, staff, editor, publisher, superuser) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, staff, editor, publisher, superuser), strict=True))


def everyone(status: int) -> dict[str, int]:
    return answers(status, status, status, status, status)


@dataclass(frozen=True)
class Action:
    """One request and the status each role must get.

    `path` and string values of `data` may name the world's rows ("{draft}", a primary key) and
    the role ("{role}", for names that must be unique). `hides` are texts the body must not show
    to the roles in `hidden_from`. With `outcome`, a function of the stored state after the
    request, `expected` holds (status, outcome) per role: what the write did, not only its answer.
    An admin form (`form`) is posted form-encoded; everything else sends JSON.
    """

    name: str
    method: str
    path: str
    expected: dict[str, int | tuple[int, object]]
    data: dict | None = None
    hides: tuple[str, ...] = ()
    hidden_from: tuple[str, ...] = (*ROLES, PASSWORD_ONLY)
    headers: dict[str, str] = field(default_factory=dict)
    outcome: Callable[[], object] | None = None
    form: bool = False
    password_only: int | tuple[int, object] | None = None  # None: what anonymous gets

    def answer(self, role: str) -> int | tuple[int, object]:
        if role != PASSWORD_ONLY:
            return self.expected[role]
        return self.expected["anonymous"] if self.password_only is None else self.password_only


# The world every row runs against (fixture `world` below); each role meets it as it was made.
PUBLIC, DRAFT, EMBARGOED, WITHDRAWN, NEVER_PUBLIC = "oeffentlich", "entwurf", "sperrfrist", "zurueck", "nie-oeffentlich"
PREVIEW_TOKEN = "geheime-vorschau-fuer-die-matrix-0123456789abcdef"
EXPIRED_TOKEN = "abgelaufene-vorschau-fuer-die-matrix-0123456789"
USED_TOPIC, DRAFT_TOPIC, SCHEDULED_TOPIC = "rohstoffe", "nur-im-entwurf", "nur-mit-sperrfrist"
USED_SERIES, DRAFT_SERIES = "wirtschaftsdialog", "reihe-im-entwurf"

# Reads every reader may make, and what none of them may be shown there.
FEEDS = ["/feeds/atom/", "/feeds/rss/", "/feeds/ics/", "/feeds/json/", "/export.csv", "/timeline.json"]
READS = [
    *(f"{language}{path}" for language in ("", "/en") for path in ("/", "/zeitstrahl/", *FEEDS)),
    "/sitemap.xml",
    "/robots.txt",
    f"/events/{PUBLIC}/",
    f"/en/events/{PUBLIC}/",
    f"/events/{PUBLIC}/event.ics",
    f"/en/events/{PUBLIC}/event.ics",
    f"/?topic={USED_TOPIC}",
    f"/feeds/atom/?series={USED_SERIES}",
    "/api/",
    "/api/events/",
    f"/api/events/{PUBLIC}/",
    "/api/topics/",
    f"/api/topics/{USED_TOPIC}/",
    "/api/series/",
    f"/api/series/{USED_SERIES}/",
    "/api/schema/",
    "/api/docs/",
    "/healthz",
]

ACTIONS: list[Action] = [
    *(Action(f"read {path}", "GET", path, everyone(200), hides=UNSEEN_TITLES) for path in READS),
    # Pages of events that are not public: editors preview them at their address.
    Action("page of a draft", "GET", f"/events/{DRAFT}/", answers(404, 404, 200, 200, 200)),
    Action("English page of a draft", "GET", f"/en/events/{DRAFT}/", answers(404, 404, 200, 200, 200)),
    Action("page of an embargoed event", "GET", f"/events/{EMBARGOED}/", answers(404, 404, 200, 200, 200)),
    Action(
        "page of an event withdrawn after publication", "GET", f"/events/{WITHDRAWN}/", answers(410, 410, 200, 200, 200)
    ),
    Action(
        "page of an event withdrawn before it was public",
        "GET",
        f"/events/{NEVER_PUBLIC}/",
        answers(404, 404, 200, 200, 200),
        hides=(NEVER_PUBLIC_TITLE,),
        hidden_from=("anonymous", "staff"),
    ),
    Action("calendar file of a draft", "GET", f"/events/{DRAFT}/event.ics", everyone(404)),
    Action("secret preview link", "GET", f"/preview/{PREVIEW_TOKEN}/", everyone(200)),
    Action("secret preview link, English", "GET", f"/en/preview/{PREVIEW_TOKEN}/", everyone(200)),
    Action("expired preview link", "GET", f"/preview/{EXPIRED_TOKEN}/", everyone(404), hides=UNSEEN_TITLES),
    Action("unknown preview link", "GET", "/preview/nichts/", everyone(404)),
    Action(
        "topic used only by a draft, as a filter",
        "GET",
        f"/api/topics/{DRAFT_TOPIC}/",
        answers(404, 404, 200, 200, 200),
    ),
    # The API: unpublished events for editors only.
    Action("API list of drafts", "GET", "/api/events/?status=draft", answers(401, 403, 200, 200, 200)),
    Action("API draft", "GET", f"/api/events/{DRAFT}/", answers(404, 404, 200, 200, 200)),
    Action(
        "API create a draft",
        "POST",
        "/api/events/",
        answers(401, 403, 201, 201, 201),
        data={"title": "Neuer Entwurf", "kind": "meeting", "date": "2026-01-15", "countries": ["DE"]},
    ),
    Action(
        "API create a draft back-dated to 2001",
        "POST",
        "/api/events/",
        answers(401, 403, 403, 201, 201),
        data={
            "title": "Rückdatierter Entwurf",
            "kind": "meeting",
            "date": "2026-01-15",
            "countries": ["DE"],
            "publish_at": "2001-01-01T00:00:00Z",
        },
    ),
    Action(
        "API edit a draft",
        "PATCH",
        f"/api/events/{DRAFT}/",
        answers(401, 403, 200, 200, 200),
        data={"summary": "Neu gefasst."},
        headers={"If-Match": "*"},
    ),
    Action(
        "API set a withdrawal reason on a draft",
        "PATCH",
        f"/api/events/{DRAFT}/",
        answers(401, 403, 403, 200, 200),
        data={"withdrawal_reason": "Verschoben."},
        headers={"If-Match": "*"},
    ),
    Action(
        "API edit a published event",
        "PATCH",
        f"/api/events/{PUBLIC}/",
        answers(401, 403, 403, 200, 200),
        data={"summary": "Neu gefasst."},
        headers={"If-Match": "*"},
    ),
    Action(
        "API publish a draft",
        "PATCH",
        f"/api/events/{DRAFT}/",
        answers(401, 403, 403, 200, 200),
        data={"status": "published"},
        headers={"If-Match": "*"},
    ),
    Action(
        "API delete a draft",
        "DELETE",
        f"/api/events/{DRAFT}/",
        answers(401, 403, 403, 403, 204),
        headers={"If-Match": "*"},
    ),
    # Topics and series: new ones and unused ones are editors' work; ones the public sees are not.
    Action(
        "API create a topic",
        "POST",
        "/api/topics/",
        answers(401, 403, 201, 201, 201),
        data={"name": "Neues Thema {role}"},
    ),
    Action(
        "API rename a topic public events use",
        "PATCH",
        f"/api/topics/{USED_TOPIC}/",
        answers(401, 403, 403, 200, 200),
        data={"name": "Umbenannt"},
    ),
    # A scheduled event goes public at its time with no one's further say: its topic is the publisher's.
    Action(
        "API rename a topic only a scheduled event uses",
        "PATCH",
        f"/api/topics/{SCHEDULED_TOPIC}/",
        answers(401, 403, 403, 200, 200),
        data={"name": "Umbenannt"},
    ),
    Action(
        "API rename a topic only a draft uses",
        "PATCH",
        f"/api/topics/{DRAFT_TOPIC}/",
        answers(401, 403, 200, 200, 200),
        data={"name": "Umbenannt"},
    ),
    Action(
        "API create a series",
        "POST",
        "/api/series/",
        answers(401, 403, 201, 201, 201),
        data={"name": "Neue Reihe {role}"},
    ),
    Action(
        "API rename a series public events use",
        "PATCH",
        f"/api/series/{USED_SERIES}/",
        answers(401, 403, 403, 200, 200),
        data={"name": "Umbenannt"},
    ),
    Action(
        "API rename a series only a draft uses",
        "PATCH",
        f"/api/series/{DRAFT_SERIES}/",
        answers(401, 403, 200, 200, 200),
        data={"name": "Umbenannt"},
    ),
    Action("API delete a topic", "DELETE", f"/api/topics/{DRAFT_TOPIC}/", answers(401, 403, 403, 403, 204)),
    Action("API delete a series", "DELETE", f"/api/series/{DRAFT_SERIES}/", answers(401, 403, 403, 403, 409)),
    # The admin: the login page for everyone, the index for staff.
    Action("admin index", "GET", "/admin/", answers(302, 200, 200, 200, 200)),
    Action("switch the admin's language", "POST", "/i18n/setlang/", everyone(302), data={"language": "en"}, form=True),
    # The admin's writes, judged by what they did.
    Action(
        "admin publish a draft (action)",
        "POST",
        "/admin/timeline/event/",
        {
            "anonymous": (302, "draft"),
            "staff": (403, "draft"),
            "editor": (302, "draft"),
            "publisher": (302, "published"),
            "superuser": (302, "published"),
        },
        data={"action": "publish", "_selected_action": "{draft}"},
        form=True,
        outcome=lambda: Event.objects.get(slug=DRAFT).status,
    ),
    Action(
        "admin share a preview link (action)",
        "POST",
        "/admin/timeline/event/",
        {"anonymous": (302, 2), "staff": (403, 2), "editor": (302, 2), "publisher": (302, 3), "superuser": (302, 3)},
        data={"action": "share_preview", "_selected_action": "{draft}"},
        form=True,
        outcome=lambda: PreviewLink.objects.filter(event__slug=DRAFT).count(),
    ),
    Action(
        "admin rename a topic public events use",
        "POST",
        "/admin/timeline/topic/{used_topic}/change/",
        {
            "anonymous": (302, "Kritische Rohstoffe"),
            "staff": (403, "Kritische Rohstoffe"),
            "editor": (403, "Kritische Rohstoffe"),
            "publisher": (302, "Umbenannt"),
            "superuser": (302, "Umbenannt"),
        },
        data={"name_de": "Umbenannt", "slug": USED_TOPIC},
        form=True,
        outcome=lambda: Topic.objects.get(slug=USED_TOPIC).name_de,
    ),
    Action(
        "admin rename a series public events use",
        "POST",
        "/admin/timeline/series/{used_series}/change/",
        {
            "anonymous": (302, "Wirtschaftsdialog"),
            "staff": (403, "Wirtschaftsdialog"),
            "editor": (403, "Wirtschaftsdialog"),
            "publisher": (302, "Umbenannt"),
            "superuser": (302, "Umbenannt"),
        },
        data={"name_de": "Umbenannt", "slug": USED_SERIES},
        form=True,
        outcome=lambda: Series.objects.get(slug=USED_SERIES).name_de,
    ),
    Action("admin login page", "GET", "/admin/login/", answers(200, 302, 302, 302, 302), password_only=302),
    # Sign-in and API access: one's own tokens and second step; a superuser's, everyone's.
    Action("account page", "GET", "/admin/account/", answers(302, 200, 200, 200, 200)),
    # The setup is for those without an app (publishers here have theirs); the password-only
    # publisher reaches it, and nothing else.
    Action("two-step setup", "GET", "/admin/two-step/setup/", answers(302, 200, 200, 302, 302), password_only=200),
    Action(
        "two-step QR code, no setup begun",
        "GET",
        "/admin/two-step/qrcode/",
        answers(302, 404, 404, 404, 404),
        password_only=404,
    ),
    Action("two-step setup complete", "GET", "/admin/two-step/setup/complete/", answers(302, 302, 302, 200, 200)),
    Action("log out", "POST", "/admin/two-step/logout/", everyone(302), data={}, form=True),
]

# The admin's pages of each model it shows, by the roles that may see them (view) and add to them
# (add); every other role gets 403, and anonymous readers the login page. A model admin missing
# here fails test_every_model_the_admin_shows_has_its_rows.
ADMIN_MODELS = {
    "timeline.event": {"view": ("editor", "publisher", "superuser"), "add": ("editor", "publisher", "superuser")},
    "timeline.topic": {"view": ("editor", "publisher", "superuser"), "add": ("editor", "publisher", "superuser")},
    "timeline.series": {"view": ("editor", "publisher", "superuser"), "add": ("editor", "publisher", "superuser")},
    "timeline.revision": {"view": ("publisher", "superuser"), "add": ()},
    "timeline.previewlink": {"view": ("publisher", "superuser"), "add": ()},
    "auth.user": {"view": ("superuser",), "add": ("superuser",)},
    "auth.group": {"view": ("superuser",), "add": ("superuser",)},
    # The login limits' records: a superuser reads them and lifts a lock-out by deleting one.
    "axes.accessattempt": {"view": ("superuser",), "add": ()},
    "axes.accessfailurelog": {"view": ("superuser",), "add": ()},
    "axes.accesslog": {"view": ("superuser",), "add": ()},
}


def registered_models() -> list[str]:
    """Every model the admin shows, as "app_label.model_name" (public API: AdminSite.is_registered)."""
    return sorted(model._meta.label_lower for model in apps.get_models() if admin.site.is_registered(model))


def admin_actions() -> list[Action]:
    """The changelist and add page of every model the admin shows, with who may open them."""
    rows = []
    for label in registered_models():
        allowed = ADMIN_MODELS.get(label, {"view": (), "add": ()})
        app_label, model_name = label.split(".")
        for page, suffix in (("view", ""), ("add", "add/")):
            expected = {role: 200 if role in allowed[page] else 403 for role in ROLES}
            expected["anonymous"] = 302
            rows.append(Action(f"admin {label} {page}", "GET", f"/admin/{app_label}/{model_name}/{suffix}", expected))
    return rows


ALL_ACTIONS = [*ACTIONS, *admin_actions()]


def make_user(role: str) -> User | None:
    if role == "anonymous":
        return None
    if role == "superuser":
        return User.objects.create_superuser("chefin", password="pw-for-tests-only")
    user = User.objects.create_user(role.replace(" ", ""), password="pw-for-tests-only", is_staff=True)
    group = "publisher" if role == PASSWORD_ONLY else role
    if group in ("editor", "publisher"):
        user.groups.add(Group.objects.get(name=group))
    return user


def client_for(role: str) -> Client:
    """A client logged in as the role: with its authenticator app's code where the role has one
    (publishers and superusers must; editors and staff here chose not to), with the password
    alone for PASSWORD_ONLY."""
    client = Client()
    user = make_user(role)
    if role in ("publisher", "superuser"):
        log_in_verified(client, user)
    elif user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world(db):
    """A public event filed under a topic and series, a draft under its own, an embargoed event,
    one withdrawn after and one before publication, and a secret preview link to the draft."""
    ensure_roles()
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    used_topic = Topic.objects.create(name_de="Kritische Rohstoffe", slug=USED_TOPIC)
    draft_topic = Topic.objects.create(name_de="Nur im Entwurf", slug=DRAFT_TOPIC)
    used_series = Series.objects.create(name_de="Wirtschaftsdialog", slug=USED_SERIES)
    draft_series = Series.objects.create(name_de="Reihe im Entwurf", slug=DRAFT_SERIES)
    common = {"kind": Event.Kind.MEETING, "date": "2025-06-26", "countries": ["DE", "JP"], "summary": "Ein Treffen."}
    public = Event.objects.create(
        title=PUBLIC_TITLE, slug=PUBLIC, status=Event.Status.PUBLISHED, publish_at=now - hour, series=used_series,
        **common,
    )  # fmt: skip
    public.topics.set([used_topic])
    draft = Event.objects.create(title=DRAFT_TITLE, slug=DRAFT, series=draft_series, **common)
    draft.topics.set([draft_topic])
    embargoed = Event.objects.create(
        title=EMBARGOED_TITLE, slug=EMBARGOED, status=Event.Status.PUBLISHED, publish_at=now + 24 * 7 * hour, **common
    )
    embargoed.topics.set([Topic.objects.create(name_de="Nur mit Sperrfrist", slug=SCHEDULED_TOPIC)])
    withdrawn = Event.objects.create(
        title="Abgesagtes Treffen", slug=WITHDRAWN, status=Event.Status.PUBLISHED, publish_at=now - 2 * hour, **common
    )
    withdrawn.status, withdrawn.withdrawal_reason_de = Event.Status.WITHDRAWN, "Abgesagt."
    withdrawn.save()
    never = Event.objects.create(
        title=NEVER_PUBLIC_TITLE, slug=NEVER_PUBLIC, status=Event.Status.PUBLISHED, publish_at=now + 24 * 7 * hour,
        **common,
    )  # fmt: skip
    never.status, never.withdrawal_reason_de = Event.Status.WITHDRAWN, "Nie erschienen."
    never.save()
    PreviewLink.objects.create(event=draft, token=PREVIEW_TOKEN)
    PreviewLink.objects.create(event=draft, token=EXPIRED_TOKEN, expires_at=now - hour)
    return {"draft": draft.pk, "used_topic": used_topic.pk, "used_series": used_series.pk}


def send(client: Client, action: Action, names: dict[str, object]):
    kwargs = {"headers": action.headers}
    if action.data is not None:
        data = {key: value.format(**names) if isinstance(value, str) else value for key, value in action.data.items()}
        kwargs |= {"data": data} if action.form else {"data": json.dumps(data), "content_type": "application/json"}
    return getattr(client, action.method.lower())(action.path.format(**names), **kwargs)


@pytest.mark.parametrize("action", ALL_ACTIONS, ids=lambda action: action.name)
def test_each_role_gets_the_documented_answer(world, action):
    wrong = []
    for role in (*ROLES, PASSWORD_ONLY):
        # Each role meets the same world: what one role's write changed is undone before the next.
        with transaction.atomic():
            response = send(client_for(role), action, {**world, "role": role})
            got = (response.status_code, action.outcome()) if action.outcome else response.status_code
            transaction.set_rollback(True)
        cache.clear()
        body = response.content.decode(errors="replace") if not response.streaming else ""
        if got != action.answer(role):
            wrong.append(f"{role}: {got}, expected {action.answer(role)}")
        if role in action.hidden_from:
            wrong += [f"{role}: shown {title!r}" for title in action.hides if title in body]
    assert not wrong, f"{action.method} {action.path}: " + "; ".join(wrong)


def url_patterns(resolver: URLResolver, prefix: str = "") -> list[str]:
    """The view names of every URL the site answers, walked through the resolver's patterns."""
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names += url_patterns(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(prefix + pattern.name)
    return names


# Views no row reaches, with the reason: the admin's own pages are covered per model above.
NOT_IN_THE_TABLE = ("admin:",)


def test_every_url_the_site_answers_is_in_the_table():
    reached = set()
    for action in ALL_ACTIONS:
        path = action.path.split("?")[0]
        with translation.override("en" if path.startswith("/en/") else "de"):  # i18n_patterns' prefix
            try:
                reached.add(resolve(path).view_name)
            except Resolver404:  # answered by a middleware (/healthz), not a view
                continue
    missing = {
        name for name in url_patterns(get_resolver()) if name not in reached and not name.startswith(NOT_IN_THE_TABLE)
    }
    assert not missing, f"no row says who may use: {sorted(missing)}"


def test_every_model_the_admin_shows_has_its_rows():
    assert set(registered_models()) <= set(ADMIN_MODELS), set(registered_models()) - set(ADMIN_MODELS)

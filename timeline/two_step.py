"""Two-step verification for the editorial admin: after the password, a code from an
authenticator app (TOTP), or one of ten recovery codes that each work once.

Required for publishers and superusers, optional for editors; an account that has set it up always
uses it. django-two-factor-auth provides the login wizard and the setup (QR code, a first code),
django-otp the devices and what `request.user.is_verified()` says. Here they get the admin's look
and the policy: the editorial site (`admin.site`) opens only to sessions that passed the second
step where the account needs one, and leads an account that needs one but has none to the setup
first. API tokens are not affected; the account page lists them and revokes them.
"""

import logging
from base64 import b32decode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from two_factor import views
from two_factor.forms import AuthenticationTokenForm, BackupTokenForm, MethodForm
from two_factor.utils import default_device

from timeline.roles import PUBLISH
from timeline.security import count_failed_login, refused_login

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10
# New recovery codes wait here, in the server-side session, for the one page that shows them.
NEW_RECOVERY_CODES_SESSION_KEY = "two_step_new_recovery_codes"
# The app's six digits: a digit keyboard on phones, and the code offered from an SMS or app.
CODE_INPUT = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "one-time-code", "size": 8}


class CodeInput(forms.TextInput):
    """A field for a one-time code: focused when its page opens, and empty again after a refused
    code (a code is typed anew; one left in the field would be typed onto)."""

    def __init__(self, attrs=None):
        super().__init__({"autofocus": True, **(attrs or {})})

    def format_value(self, value):
        return None


def two_step_required(user) -> bool:
    """Whether an account must use two-step verification: superusers, and publishers (anyone
    allowed to publish, roles.PUBLISH: the publisher group has it, roles.ensure_roles). Asked on
    every admin request: from the permissions Django caches per user, no query of its own."""
    return user.is_superuser or user.has_perm(PUBLISH)


def has_two_step(user) -> bool:
    """Whether an account has set up two-step verification: its authenticator app, confirmed by a
    first code (two_factor's "default" device)."""
    return default_device(user) is not None


def two_step_passed(user) -> bool:
    """Whether a logged-in user may act as such: this session passed the second step, or the
    account needs none and has set none up (an editor who chose not to). Needs django-otp's
    OTPMiddleware, which gives `user.is_verified()`."""
    return user.is_verified() or not (two_step_required(user) or has_two_step(user))


def second_step_missing(user) -> bool:
    """Whether a logged-in session's user still owes the second step (two_step_passed). A user
    authenticated by an API token has no session to verify (no `is_verified`) and owes none."""
    return user.is_authenticated and hasattr(user, "is_verified") and not two_step_passed(user)


def new_recovery_codes(user) -> list[str]:
    """Replace an account's recovery codes with RECOVERY_CODES new ones and return them; each
    works once, in place of the app's code (django-otp's static device, "backup" as two_factor
    names it)."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(user=user, name="backup")
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    """How many of an account's recovery codes are still unused."""
    return StaticToken.objects.filter(device__user=user).count()


def safe_next(request) -> str:
    """The `next` address of a request if it leads within this site, else the admin's index."""
    target = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, ""))
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url("admin:index")


def admin_context(request) -> dict:
    """What the admin's templates expect of every page (header, user links), for the pages here."""
    return admin.site.each_context(request)


class CountedFailuresMixin:
    """A second-step form whose refused code counts as a failed login for the account and the
    address, as a wrong password does (django-axes' limits, timeline.security); django-otp's own
    pause after a wrong code stays. An empty field counts no more than an empty password does."""

    def __init__(self, user, initial_device, request, **kwargs):
        super().__init__(user, initial_device, **kwargs)
        self.request = request

    def clean(self):
        """The code checked (two_factor, django-otp); ValidationError if refused, counted."""
        try:
            return super().clean()
        except ValidationError:
            if self["otp_token"].data:
                count_failed_login(self.request, self.user.get_username())
            raise


class TokenForm(CountedFailuresMixin, AuthenticationTokenForm):
    """The authenticator app's code; a wrong one counts as a failed login."""


class RecoveryCodeForm(CountedFailuresMixin, BackupTokenForm):
    """A recovery code; a wrong one counts as a failed login."""


class LoginView(views.LoginView):
    """two_factor's login wizard as the admin's login page: the password (staff only, as the
    admin's own form asks), then the authenticator app's code or a recovery code. The login limits
    hold at every step, and whatever a client posts gets a form or a 400, never a server error."""

    template_name = "two_step/login.html"
    form_list = (
        (views.LoginView.AUTH_STEP, AdminAuthenticationForm),
        (views.LoginView.TOKEN_STEP, TokenForm),
        (views.LoginView.BACKUP_STEP, RecoveryCodeForm),
    )

    def post(self, *args, **kwargs):
        """A step of the login. Refused with the lock-out page once the account whose password this
        session gave, or the address, is locked (django-axes checks the password step itself; the
        later steps check no password, so they ask here), and the login starts over after it."""
        user = self.get_user()
        if user:
            refused = refused_login(self.request, user.get_username())
            if refused is not None:
                self.storage.reset()
                return refused
        # two_factor goes to the code step for `challenge_device` (a phone to call or text, which
        # this site does not offer) without asking whether that step exists: before the password,
        # or once the account's app is gone, there is none. The login form again.
        if "challenge_device" in self.request.POST and self.TOKEN_STEP not in self.steps.all:
            self.storage.reset()
            return self.render_goto_step(self.FIRST_STEP)
        return super().post(*args, **kwargs)

    def get_form_list(self):
        """The steps and their forms. two_factor sets the code step's form from the device's method
        on each request (for the app, AuthenticationTokenForm, which counts nothing) over the one
        form_list names: TokenForm goes back in (the app is the only method offered here)."""
        form_list = super().get_form_list()
        if self.TOKEN_STEP in form_list:
            form_list[self.TOKEN_STEP] = TokenForm
        return form_list

    def get_form_prefix(self, step=None, form=None):
        """No prefix for the password step: its fields stay `username` and `password`, as on
        Django's admin login, for password managers, scripts and login limits alike."""
        if (step or self.steps.current) == self.AUTH_STEP:
            return None
        return super().get_form_prefix(step, form)

    def get_form(self, step=None, **kwargs):
        """The step's form, its code field named as the page names it."""
        form = super().get_form(step, **kwargs)
        if "otp_token" in form.fields:
            field = form.fields["otp_token"]
            if (step or self.steps.current) == self.BACKUP_STEP:
                field.label = _("Recovery code")
                field.widget = CodeInput({"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
            else:
                field.label = _("Code from the authenticator app")
                field.widget = CodeInput(CODE_INPUT)
        return form

    def get_context_data(self, form, **kwargs):
        """The wizard's context with the admin's, as Django's admin login has it."""
        return {
            **super().get_context_data(form, **kwargs),
            **admin_context(self.request),
            "title": _("Log in"),
            "app_path": self.request.get_full_path(),
            "next": self.get_redirect_url(),
        }


class SetupView(views.SetupView):
    """two_factor's setup in the admin's look, straight to the QR code and the first code (the
    authenticator app is the only method offered); it ends on the page with the recovery codes."""

    template_name = "two_step/setup.html"
    # Only the method step: two_factor drops it when there is one method, leaving the app's.
    form_list = (("method", MethodForm),)

    def get_success_url(self):
        """The page with the recovery codes, passing on where the login was going."""
        url = reverse(self.success_url)
        target = self.get_redirect_url()
        return f"{url}?{urlencode({REDIRECT_FIELD_NAME: target})}" if target else url

    def get_form(self, step=None, **kwargs):
        """The step's form, its code field named as the page names it."""
        form = super().get_form(step, **kwargs)
        if "token" in form.fields:
            field = form.fields["token"]
            field.label = _("Code from the authenticator app")
            # Typed as text with a digit keyboard: a number field would drop leading zeros and
            # offer arrows to count up.
            field.widget = CodeInput(CODE_INPUT)
        return form

    def get_key(self, step):
        """The step's secret key. The app's is the one an earlier showing of this page in this
        session offered (two_factor keeps it in the session until the setup is done): a reload,
        as phones do when one comes back from the authenticator app, keeps the QR code the app
        scanned instead of making a new one that the app's codes do not fit."""
        shown = self.request.session.get(self.session_key_name)
        keys = self.storage.extra_data.setdefault("keys", {})
        if step == "generator" and shown and step not in keys:
            keys[step] = b32decode(shown).hex()
        return super().get_key(step)

    def get_context_data(self, form, **kwargs):
        """The wizard's context with the admin's; whether this account must use the second step;
        the key in groups of four, as apps accept it typed (spaces are ignored)."""
        context = super().get_context_data(form, **kwargs)
        key = context.get("secret_key", "")
        return {
            **context,
            **admin_context(self.request),
            "title": _("Set up two-step verification"),
            "required": two_step_required(self.request.user),
            "key_to_type": " ".join(key[start : start + 4] for start in range(0, len(key), 4)),
        }

    def done(self, form_list, **kwargs):
        """Save the app as the account's device (two_factor), and make its recovery codes."""
        response = super().done(form_list, **kwargs)
        self.request.session[NEW_RECOVERY_CODES_SESSION_KEY] = new_recovery_codes(self.request.user)
        return response


class SetupCompleteView(views.SetupCompleteView):
    """After the setup: the recovery codes, shown this once, and the way on."""

    template_name = "two_step/setup_complete.html"

    def get_context_data(self, **kwargs):
        """The admin's context, the new recovery codes (taken from the session), where to go on."""
        return {
            **super().get_context_data(**kwargs),
            **admin_context(self.request),
            "title": _("Two-step verification is set up"),
            "recovery_codes": self.request.session.pop(NEW_RECOVERY_CODES_SESSION_KEY, None),
            "next": safe_next(self.request),
        }


class RevokeTokenForm(forms.Form):
    """Which API token to revoke, by its account: one's own, or a superuser's choice of any."""

    revoke_token = forms.ModelChoiceField(queryset=Token.objects.none(), to_field_name="user")

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revoke_token"].queryset = (
            Token.objects.all() if user.is_superuser else Token.objects.filter(user=user)
        )


class ResetTwoStepForm(forms.Form):
    """Whose second step a superuser removes (a lost phone): the next login sets it up anew."""

    reset_two_step = forms.ModelChoiceField(queryset=get_user_model().objects.all())


def account(request):
    """The account page (admin:account): the second step's state and new recovery codes; the API
    token, to revoke; for superusers every account's, with its second step to reset.

    POST `recovery_codes` (new codes, shown once), `revoke_token=<user id>` or
    `reset_two_step=<user id>` (superusers)."""
    user = request.user
    if request.method == "POST":
        return account_change(request)
    context = {
        **admin_context(request),
        "title": _("Sign-in and API access"),
        "has_two_step": has_two_step(user),
        "two_step_required": two_step_required(user),
        "recovery_codes": request.session.pop(NEW_RECOVERY_CODES_SESSION_KEY, None),
        "recovery_codes_left": recovery_codes_left(user),
        "token": Token.objects.filter(user=user).first(),
    }
    if user.is_superuser:
        context["accounts"] = accounts_overview()
    return TemplateResponse(request, "two_step/account.html", context)


def account_change(request):
    """The account page's POST (see `account`)."""
    user = request.user
    if "recovery_codes" in request.POST and has_two_step(user):
        request.session[NEW_RECOVERY_CODES_SESSION_KEY] = new_recovery_codes(user)
        return redirect("admin:account")
    if "revoke_token" in request.POST:
        form = RevokeTokenForm(user, request.POST)
        if form.is_valid():
            token = form.cleaned_data["revoke_token"]
            token.delete()
            logger.info("API token of %s revoked by %s", token.user.get_username(), user.get_username())
            messages.success(request, _("The API token of “%(user)s” is revoked.") % {"user": token.user})
            return redirect("admin:account")
    if "reset_two_step" in request.POST and user.is_superuser:
        form = ResetTwoStepForm(request.POST)
        if form.is_valid():
            account = form.cleaned_data["reset_two_step"]
            for model in (TOTPDevice, StaticDevice):
                model.objects.filter(user=account).delete()
            logger.info("Two-step verification of %s reset by %s", account.get_username(), user.get_username())
            messages.success(
                request,
                _("“%(user)s” has no second step now; the next login sets it up again.") % {"user": account},
            )
            return redirect("admin:account")
    # A second click, or a colleague was quicker: say so rather than fail.
    messages.error(request, _("Nothing was changed: that token or account is gone, or not yours to change."))
    return redirect("admin:account")


def accounts_overview() -> list[dict]:
    """Every staff account and every account with an API token: whether it must use and has the
    second step, and its token (for the superuser's table on the account page)."""
    users = get_user_model().objects.filter(Q(is_staff=True) | Q(auth_token__isnull=False)).order_by("username")
    tokens = {token.user_id: token for token in Token.objects.all()}
    return [
        {
            "user": user,
            "required": two_step_required(user),
            "has_two_step": has_two_step(user),
            "token": tokens.get(user.pk),
        }
        for user in users
    ]


class EditorialAdminSite(admin.AdminSite):
    """Django's admin site, open to staff whose session passed the second step where the account
    needs one; its login is the two-step login, and leads an account that must set it up there."""

    def has_permission(self, request):
        """Django's rule (active staff), and the second step passed where it is needed."""
        return super().has_permission(request) and two_step_passed(request.user)

    def login(self, request, extra_context=None):
        """The two-step login; for an account that logged in by password alone and must use a
        second step it has not set up (there was none to ask for), the setup."""
        user = request.user
        if user.is_active and user.is_staff and two_step_required(user) and not has_two_step(user):
            target = request.GET.get(REDIRECT_FIELD_NAME)
            setup = reverse("two_factor:setup")
            return HttpResponseRedirect(f"{setup}?{urlencode({REDIRECT_FIELD_NAME: target})}" if target else setup)
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        request.current_app = self.name
        return LoginView.as_view(extra_context=extra_context)(request)

    def get_urls(self):
        """The admin's addresses and the account page."""
        return [path("account/", self.admin_view(account), name="account"), *super().get_urls()]

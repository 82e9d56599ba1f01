"""A resident's account: /account/ (namespace `account`)."""

from django.urls import path

from townhall.residents import account_views, sign_in_views

app_name = "account"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("register/", account_views.register, name="register"),
    path("register/check-email/", account_views.check_email, name="check-email"),
    path("verify/", account_views.verify, name="verify"),
    path("verify/<str:uidb64>/<str:token>/", account_views.verify_link, name="verify-link"),
    path("sign-in/", sign_in_views.sign_in, name="sign-in"),
    path("sign-in/code/", sign_in_views.code_request, name="code-request"),
    path("sign-in/code/enter/", sign_in_views.code_enter, name="code-enter"),
    path("sign-in/second-step/", sign_in_views.second_step, name="second-step"),
    path("sign-out/", account_views.sign_out, name="sign-out"),
    path("password-reset/", sign_in_views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        sign_in_views.PasswordResetSentView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        sign_in_views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        sign_in_views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path("sessions/", account_views.sessions, name="sessions"),
    path("sessions/<int:record_id>/end/", account_views.session_end_view, name="session-end"),
    path("two-factor/", account_views.two_factor_setup, name="two-factor"),
    path("two-factor/recovery-codes/", account_views.recovery_codes, name="recovery-codes"),
]

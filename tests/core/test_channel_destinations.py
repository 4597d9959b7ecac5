"""Registering a destination: every bad field is named at once, in words a person can act on,
in both languages; an address inside a private network is refused before anything is sent."""

from __future__ import annotations

import base64

import pytest

from ipgov.errors import InvalidInput
from ipgov.i18n import translate
from ipgov.notify.channels.base import Destination, validate_destination
from ipgov.settings import Settings
from tests.core.channel_support import LOCAL

STRICT = Settings()
SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


def codes(exc: InvalidInput) -> dict[str, str]:
    return {e.field or "": e.code for e in exc.field_errors}


@pytest.mark.parametrize("kind, target, secrets", [
    ("email", "ada@example.com", ()),
    ("webhook", "https://hooks.example.com/ipgov", (SECRET,)),
    ("webhook", "https://hooks.example.com/ipgov", (SECRET, "whsec_" + "A" * 40)),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123", ()),
    ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=tok", ("SECabc",)),
    ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/0123-abcd", ("s3cret",)),
    ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/0123-abcd", ()),
])
def test_sound_destinations_are_accepted(kind, target, secrets):
    destination = validate_destination(kind, target, STRICT, secrets=secrets, name="Ops")
    assert destination == Destination(kind, target, tuple(secrets), "Ops")


@pytest.mark.parametrize("kind, target, secrets, field, code", [
    ("sms", "x", (), "kind", "NOT_ALLOWED"),
    ("webhook", "  ", (), "target", "REQUIRED"),
    ("email", "not an address", (), "target", "NOTIFY_EMAIL_INVALID"),
    ("webhook", "ftp://example.com/x", (), "target", "NOTIFY_URL_INVALID"),
    ("webhook", "http://hooks.example.com/ipgov", (), "target", "NOTIFY_URL_NOT_HTTPS"),
    ("webhook", "https://user:pw@hooks.example.com/", (), "target", "NOTIFY_URL_CREDENTIALS"),
    ("webhook", "https://169.254.169.254/latest", (), "target", "NOTIFY_URL_PRIVATE"),
    ("webhook", "https://[::ffff:10.0.0.1]/", (), "target", "NOTIFY_URL_PRIVATE"),
    ("webhook", "https://2130706433/", (), "target", "NOTIFY_URL_PRIVATE"),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", (), "target",
     "NOTIFY_ROBOT_URL"),
    ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=", (), "target",
     "NOTIFY_ROBOT_URL"),
    ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/", (), "target",
     "NOTIFY_ROBOT_URL"),
    ("webhook", "https://hooks.example.com/", ("hunter2",), "secret", "NOTIFY_WEBHOOK_SECRET"),
    ("webhook", "https://hooks.example.com/", ("whsec_c2hvcnQ=",), "secret",
     "NOTIFY_WEBHOOK_SECRET"),
    ("webhook", "https://hooks.example.com/", (SECRET,) * 4, "secret",
     "NOTIFY_TOO_MANY_SECRETS"),
    ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t", ("abc",), "secret",
     "NOTIFY_ROBOT_SECRET"),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", ("x",), "secret",
     "NOTIFY_SECRET_UNUSED"),
])
def test_bad_fields_are_named_with_a_code(kind, target, secrets, field, code):
    with pytest.raises(InvalidInput) as refused:
        validate_destination(kind, target, STRICT, secrets=secrets)
    assert codes(refused.value) == {field: code}


def test_every_bad_field_is_reported_at_once_and_reads_in_both_languages():
    with pytest.raises(InvalidInput) as refused:
        validate_destination("dingtalk", "https://oapi.dingtalk.com/robot/send", STRICT,
                             secrets=("nope",))
    errors = refused.value.field_errors
    assert codes(refused.value) == {"target": "NOTIFY_ROBOT_URL", "secret": "NOTIFY_ROBOT_SECRET"}
    for error in errors:
        params = {**error.details, "field": error.field}
        english, chinese = (translate(error.code, loc, params) for loc in ("en", "zh-CN"))
        assert english and chinese and english != chinese
    target = next(e for e in errors if e.field == "target")
    assert "access_token=" in translate(target.code, "zh-CN", dict(target.details))


def test_the_operator_setting_admits_a_local_receiver():
    validate_destination("webhook", "http://127.0.0.1:9000/hook", LOCAL)
    with pytest.raises(InvalidInput):
        validate_destination("webhook", "http://127.0.0.1:9000/hook", STRICT)

"""Provider adapters: each sends one delivery and says how it went.

A ``DeliveryFailed`` is temporary (retried with backoff) unless ``permanent`` (a refused
address, a number the provider rejects): then retrying cannot help.
"""

import json
from dataclasses import dataclass
from datetime import datetime

import aiohttp
import aiosmtplib
import dkim
import httpx
from py_vapid import Vapid
from pywebpush import WebPushException, webpush_async

from notifications.domain.delivery import sms_text
from notifications.domain.mail import notice_email
from notifications.models import Delivery, PushSubscription
from notifications.settings import NotificationsSettings

#: Headers the DKIM signature covers: who, to whom, what, when, which letter, how to stop them.
DKIM_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe", b"list-unsubscribe-post"]


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True)
class Links:
    unsubscribe: str
    inbox: str


class Mailer:
    """E-mail over SMTP (aiosmtplib), DKIM-signed (dkimpy) so school mail is not taken for junk."""

    def __init__(self, settings: NotificationsSettings, dkim_key_pem: bytes) -> None:
        self.settings = settings
        self.dkim_key_pem = dkim_key_pem
        self._smtp: aiosmtplib.SMTP | None = None

    def signed(self, delivery: Delivery, links: Links, now: datetime) -> bytes:
        s = self.settings
        message = notice_email(
            sender=(s.mail_from_name, s.mail_from),
            to=delivery.address or "",
            subject=delivery.subject,
            body=delivery.body,
            message_id=f"<{delivery.id}@{s.dkim_domain}>",
            sent_at=now,
            unsubscribe_url=links.unsubscribe,
            inbox_url=links.inbox,
        )
        raw = message.as_bytes()
        signature = dkim.sign(
            raw, s.dkim_selector.encode(), s.dkim_domain.encode(), self.dkim_key_pem, include_headers=DKIM_HEADERS
        )
        return signature + raw

    async def send(self, delivery: Delivery, links: Links, now: datetime) -> str:
        raw = self.signed(delivery, links, now)
        try:
            smtp = await self._connection()
            await smtp.sendmail(self.settings.mail_from, [delivery.address or ""], raw)
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise DeliveryFailed(f"Адрес отклонён почтовым сервером: {error}", permanent=True) from error
        except aiosmtplib.SMTPResponseException as error:
            await self.close()
            raise DeliveryFailed(
                f"Почтовый сервер ответил {error.code}: {error.message}", permanent=error.code >= 500
            ) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            await self.close()
            raise DeliveryFailed(f"Почтовый сервер недоступен: {error}") from error
        return f"<{delivery.id}@{self.settings.dkim_domain}>"

    async def _connection(self) -> aiosmtplib.SMTP:
        """One SMTP session for many letters; a broken one is dropped and opened again."""
        if self._smtp is None or not self._smtp.is_connected:
            smtp = aiosmtplib.SMTP(
                hostname=self.settings.smtp_host,
                port=self.settings.smtp_port,
                timeout=self.settings.smtp_timeout_seconds,
                start_tls=False,
            )
            await smtp.connect()
            self._smtp = smtp
        return self._smtp

    async def close(self) -> None:
        if self._smtp is not None and self._smtp.is_connected:
            try:
                await self._smtp.quit()
            except aiosmtplib.SMTPException:
                self._smtp.close()
        self._smtp = None


#: SMSC.ru error codes after which the same request can never succeed (parameters, forbidden text, number).
SMSC_PERMANENT = {1, 6, 7, 8}
#: SMSC.ru's answer to a message id it has already taken: our earlier attempt went through.
SMSC_DUPLICATE = 9


class SmscSms:
    """SMS through SMSC.ru's HTTP API (``send.php``, JSON answers with ``fmt=3``).

    Each delivery is sent with its own number as SMSC's ``id``, so a retry after a lost
    answer is refused by SMSC as a repeat rather than sent twice, and is taken as sent.
    """

    def __init__(self, settings: NotificationsSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client

    async def send(self, delivery: Delivery, links: Links, now: datetime) -> str:
        s = self.settings
        params = {
            "login": s.smsc_login,
            "psw": s.smsc_password,
            "phones": delivery.address or "",
            "mes": sms_text(delivery.subject),
            "fmt": "3",
            "charset": "utf-8",
            "id": str(delivery.seq),
        }
        if s.smsc_sender:
            params["sender"] = s.smsc_sender
        try:
            response = await self.client.post(s.smsc_url, data=params)
            answer = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, json.JSONDecodeError) as error:
            raise DeliveryFailed(f"SMS-шлюз недоступен: {error}") from error
        if answer is None:
            raise DeliveryFailed(f"SMS-шлюз ответил HTTP {response.status_code}")
        code = answer.get("error_code")
        if code == SMSC_DUPLICATE and str(answer.get("id")) == str(delivery.seq):
            return str(delivery.seq)
        if code is not None:
            raise DeliveryFailed(
                f"SMS-шлюз отказал (код {code}): {answer.get('error')}", permanent=code in SMSC_PERMANENT
            )
        return str(answer["id"])


class WebPush:
    """Web Push (RFC 8030) with VAPID (RFC 8292), payload encrypted per RFC 8291 (aes128gcm)."""

    def __init__(self, settings: NotificationsSettings, vapid_private_pem: bytes) -> None:
        self.settings = settings
        self.vapid = Vapid.from_pem(vapid_private_pem)
        self._session: aiohttp.ClientSession | None = None

    async def send_to(self, subscriptions: list[PushSubscription], delivery: Delivery, links: Links) -> list[str]:
        """Sends to each subscription; returns the endpoints that are gone (RFC 8030 404/410) to forget."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        payload = json.dumps({"title": delivery.subject, "body": delivery.body, "url": links.inbox}, ensure_ascii=False)
        gone: list[str] = []
        for subscription in subscriptions:
            info = {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            }
            try:
                await webpush_async(
                    info,
                    payload,
                    vapid_private_key=self.vapid,
                    vapid_claims={"sub": self.settings.vapid_subject},
                    ttl=24 * 3600,
                    timeout=10,
                    aiohttp_session=self._session,
                )
            except WebPushException as error:
                if error.response is not None and error.response.status in (404, 410):
                    gone.append(subscription.endpoint)
                    continue
                raise DeliveryFailed(f"Служба push-уведомлений отказала: {error}") from error
            except (aiohttp.ClientError, TimeoutError) as error:
                raise DeliveryFailed(f"Служба push-уведомлений недоступна: {error}") from error
        return gone

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

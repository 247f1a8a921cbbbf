"""R-5: the office records a consent from its paper on the person's card; the family sees its consents under the
diary and withdraws one, which the card then shows as withdrawn by the parent."""

import re

from playwright.async_api import Locator


async def choose(select: Locator, text: str) -> None:
    """Pick the option whose label contains ``text`` (the labels carry patronymics and notes)."""
    await select.select_option(await select.locator("option", has_text=text).first.get_attribute("value"))


async def test_the_office_records_a_consent_and_the_parent_withdraws_one_in_the_diary(visit, axe, russian_only):
    admin = await visit("school_admin")
    admin.expected.append(re.compile("422"))  # the promotion preview of the office's start (no previous year)
    office = admin.page.locator("#office")
    await office.get_by_role("tab", name="Карточки").click()
    await office.locator("#card-find").fill("Петров Алексей")
    await office.locator("#card-title", has_text="Петров Алексей").wait_for()
    await office.locator("#consent-who", has_text="младше 14 лет").wait_for()
    form = office.locator("#consent-form")
    await form.locator("select[name=purpose]").select_option(label="передача сведений на портал госуслуг")
    await choose(form.locator("select[name=signer_id]"), "Петров Сергей")
    await form.locator("input[name=document_kind]").fill("согласие")
    await form.locator("input[name=document_number]").fill("17")
    await form.locator("input[name=document_date]").fill("2026-09-01")
    await form.locator("button[type=submit]").click()
    await office.locator("#consent-status", has_text="Согласие записано").wait_for()
    portal = office.locator("#consent-list tr", has_text="передача сведений на портал госуслуг")
    await portal.filter(has_text="№ 17 от 01.09.2026").wait_for()
    assert "Петров Сергей" in await portal.inner_text()
    # The child cannot sign for himself under 14: the refusal says who does.
    await choose(form.locator("select[name=signer_id]"), "Петров Алексей")
    await form.locator("button[type=submit]").click()
    await office.locator("#consent-status", has_text="согласие даёт родитель").wait_for()
    assert await axe(admin.page) == []
    await russian_only(admin.page)

    parent = await visit("parent", "phone")
    consents = parent.page.locator("#family-consents")
    sms = consents.locator("ul").first.locator("li", has_text="уведомления по СМС")
    await sms.wait_for()
    parent.page.once("dialog", lambda dialog: dialog.accept())
    await sms.get_by_role("button", name=re.compile("Отозвать")).click()
    await (
        consents.locator("ul")
        .first.locator("li", has_text="уведомления по СМС")
        .filter(has_text="заявление в электронном дневнике")
        .wait_for()
    )
    assert "— нет" in await consents.locator("ul").first.locator("li", has_text="уведомления по СМС").inner_text()
    assert await axe(parent.page) == []
    await russian_only(parent.page)
    await parent.page.screenshot(path="/tmp/p16a/parent-consents.png", full_page=True)

    await admin.page.reload()
    await office.get_by_role("tab", name="Карточки").click()
    await office.locator("#card-find").fill("Петров Алексей")
    await office.locator(
        "#consent-history li", has_text=re.compile("уведомления по СМС — отозвано.*Петров Сергей")
    ).wait_for()
    await admin.page.screenshot(path="/tmp/p16a/office-consents.png", full_page=True)

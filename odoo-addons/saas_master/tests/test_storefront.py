from lxml import html as lxml_html

from odoo.tests import HttpCase, TransactionCase, tagged

from ..lib.stripe_keys import StripeKeyError, stripe_settings
from .common import SaasCase

SPANISH = {
    "/es": "Su propio Odoo, en línea en segundos",
    "/es/pricing": "Planes y precios",
    "/es/how-it-works": "¿Qué ocurre en la renovación?",
}
ENGLISH = {
    "/": "Your own Odoo, online in seconds",
    "/pricing": "Plans and prices",
    "/how-it-works": "What happens at renewal?",
}


@tagged("post_install", "-at_install")
class TestStorefront(HttpCase, SaasCase):
    def _page(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return lxml_html.fromstring(response.content)

    def _card(self, page, plan):
        cards = page.xpath(
            "//div[contains(@class, 'o_saas_plan_card')][@data-plan-code='%s']"
            % plan.saas_plan_code
        )
        self.assertEqual(len(cards), 1, "one card for %s" % plan.saas_plan_code)
        return cards[0]

    def _text(self, card, css_class):
        nodes = card.xpath(".//*[contains(@class, '%s')]" % css_class)
        self.assertTrue(nodes, css_class)
        return " ".join(nodes[0].text_content().split())

    def test_pages_in_english_and_spanish(self):
        for url, text in {**ENGLISH, **SPANISH}.items():
            with self.subTest(url=url):
                body = " ".join(self._page(url).text_content().split())
                self.assertIn(text, body)
        spanish = " ".join(self._page("/es").text_content().split())
        self.assertNotIn("Your own Odoo, online in seconds", spanish)

    def test_spanish_pricing_shows_spanish_plan_descriptions(self):
        page = self._page("/es/pricing")
        card = self._card(page, self.plan_basic)
        description = self.plan_basic.with_context(lang="es_ES").description_sale
        self.assertTrue(description.startswith("Su propio Odoo"), description)
        self.assertEqual(
            self._text(card, "o_saas_plan_description"), " ".join(description.split())
        )
        self.assertIn("usuarios", self._text(card, "o_saas_plan_users"))
        self.assertIn("Comprar", self._text(card, "o_saas_plan_buy"))

    def test_pricing_values_are_the_plan_fields(self):
        page = self._page("/pricing")
        plans = self.env["product.template"]._saas_storefront_plans()
        self.assertIn(self.plan_basic, plans)
        for plan in plans:
            card = self._card(page, plan)
            facts = plan._saas_storefront_facts()
            self.assertIn(
                "%.2f" % plan.list_price, self._text(card, "o_saas_plan_price")
            )
            self.assertEqual(self._text(card, "o_saas_plan_users"), facts["users"])
            self.assertEqual(self._text(card, "o_saas_plan_storage"), facts["storage"])
            self.assertEqual(self._text(card, "o_saas_plan_backups"), facts["backups"])
            self.assertEqual(self._text(card, "o_saas_plan_support"), facts["support"])
            self.assertEqual(self._text(card, "o_saas_plan_period"), facts["period"])
        basic = self._card(page, self.plan_basic)
        self.assertEqual(self._text(basic, "o_saas_plan_users"), "Up to 3 users")
        self.assertEqual(self._text(basic, "o_saas_plan_storage"), "10 GB storage")
        self.assertEqual(self._text(basic, "o_saas_plan_backups"), "Weekly backups")
        self.assertEqual(self._text(basic, "o_saas_plan_apps"), "Contacts")
        self.assertEqual(self._text(basic, "o_saas_plan_support"), "Email support")

    def test_editing_a_plan_changes_the_page(self):
        self.plan_basic.write(
            {
                "list_price": 123.45,
                "saas_max_users": 0,
                "saas_storage_mb": 500,
                "saas_backup_interval_hours": 6,
                "saas_trial_days": 14,
            }
        )
        card = self._card(self._page("/pricing"), self.plan_basic)
        self.assertIn("123.45", self._text(card, "o_saas_plan_price"))
        self.assertEqual(self._text(card, "o_saas_plan_users"), "Unlimited users")
        self.assertEqual(self._text(card, "o_saas_plan_storage"), "500 MB storage")
        self.assertEqual(
            self._text(card, "o_saas_plan_backups"), "Backups every 6 hours"
        )
        self.assertEqual(self._text(card, "o_saas_plan_trial"), "14-day free trial")
        trial = card.xpath(".//a[contains(@class, 'o_saas_plan_start_trial')]")
        self.assertEqual(
            trial[0].get("href"), "/shop/saas_trial/%s" % self.plan_basic.id
        )
        self.plan_basic.is_published = False
        page = self._page("/pricing")
        self.assertFalse(page.xpath("//*[@data-plan-code='basic']"))

    def test_buy_button_puts_the_plan_in_the_cart(self):
        page = self._page("/pricing")
        form = self._card(page, self.plan_pro).xpath(".//form")[0]
        self.assertEqual(form.get("action"), "/shop/cart/update")
        fields = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
        self.assertEqual(int(fields["product_id"]), self.plan_pro.product_variant_id.id)
        response = self.url_open(form.get("action"), data=fields, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/shop/checkout", response.headers["Location"])
        order = self.env["sale.order"].search(
            [("order_line.product_id", "=", self.plan_pro.product_variant_id.id)],
            order="id desc",
            limit=1,
        )
        self.assertTrue(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order._saas_plan(), self.plan_pro)

    def test_how_it_works_states_the_settings(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("saas_master.reminder_days", "5")
        params.set_param("saas_master.grace_days", "12")
        self.env.company.write({"email": "help@seller.example", "phone": "+34 900 000"})
        for url in ("/how-it-works", "/es/how-it-works"):
            page = self._page(url)
            self.assertEqual(page.get_element_by_id("saas_reminder_days").text, "5")
            self.assertEqual(page.get_element_by_id("saas_grace_days").text, "12")
            email = page.get_element_by_id("saas_support_email")
            self.assertEqual(email.text, "help@seller.example")

    def test_no_odoo_demo_text(self):
        self.env.company.name = "Odoo Hosting Ltd"
        body = self.url_open("/").text
        for demo in (
            "We are a team of passionate people",
            "info@yourcompany.example.com",
            "555-555-5556",
            "Company name",
        ):
            self.assertNotIn(demo, body)
        page = lxml_html.fromstring(body)
        menu = " ".join(page.xpath("//header//nav")[0].text_content().split())
        self.assertNotIn("About us", menu)
        self.assertIn("Pricing", menu)
        self.assertIn("How it works", menu)
        self.assertIn("Odoo Hosting Ltd", page.xpath("//header")[0].text_content())
        spanish = lxml_html.fromstring(self.url_open("/es").content)
        es_menu = " ".join(spanish.xpath("//header//nav")[0].text_content().split())
        self.assertIn("Precios", es_menu)
        self.assertIn("Cómo funciona", es_menu)
        # the language switcher links the other language
        self.assertTrue(page.xpath("//a[contains(@class, 'js_change_lang')]"))

    def test_a_spanish_visitor_signs_up_in_spanish(self):
        """Mails follow the partner's language: Odoo's sign-up stores the page's."""
        self.env["ir.config_parameter"].sudo().set_param(
            "auth_signup.invitation_scope", "b2c"
        )
        page = self.url_open("/es/web/signup").text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = self.url_open(
            "/es/web/signup",
            data={
                "csrf_token": token,
                "login": "cliente@example.com",
                "name": "Cliente Uno",
                "password": "Cliente-uno-1",
                "confirm_password": "Cliente-uno-1",
            },
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        user = self.env["res.users"].search([("login", "=", "cliente@example.com")])
        self.assertEqual(user.partner_id.lang, "es_ES")


@tagged("post_install", "-at_install")
class TestStorefrontSetup(TransactionCase):
    def test_spanish_is_on_every_website(self):
        spanish = self.env["res.lang"]._lang_get("es_ES")
        self.assertTrue(spanish.active)
        for website in self.env["website"].search([]):
            self.assertIn(spanish, website.language_ids)
            self.assertNotEqual(website.name, "My Website")

    def test_setup_is_idempotent(self):
        menus = self.env["website.menu"].search_count([("url", "=", "/pricing")])
        self.env["website"]._saas_storefront_setup()
        self.assertEqual(
            self.env["website.menu"].search_count([("url", "=", "/pricing")]), menus
        )


@tagged("post_install", "-at_install")
class TestStripeFromEnvironment(TransactionCase):
    # made-up keys in Stripe's formats: nothing here talks to Stripe
    TEST_KEYS = {
        "STRIPE_SECRET_KEY": "sk_test_abc123",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_abc123",
        "STRIPE_WEBHOOK_SECRET": "whsec_abc123",
    }

    def test_no_keys_mean_demo_only(self):
        self.assertIsNone(stripe_settings({}))
        self.assertEqual(
            self.env["payment.provider"]._saas_configure_stripe({}),
            "no Stripe keys: demo payments only",
        )

    def test_key_formats_are_checked(self):
        cases = {
            "STRIPE_PUBLISHABLE_KEY is empty": {"STRIPE_SECRET_KEY": "sk_test_x"},
            "STRIPE_SECRET_KEY must start": {
                "STRIPE_SECRET_KEY": "secret",
                "STRIPE_PUBLISHABLE_KEY": "pk_test_x",
            },
            "STRIPE_PUBLISHABLE_KEY must start with pk_live_": {
                "STRIPE_SECRET_KEY": "sk_live_x",
                "STRIPE_PUBLISHABLE_KEY": "pk_test_x",
            },
            "STRIPE_WEBHOOK_SECRET must start": dict(
                self.TEST_KEYS, STRIPE_WEBHOOK_SECRET="nope"
            ),
        }
        for message, environ in cases.items():
            with self.subTest(message=message):
                with self.assertRaisesRegex(StripeKeyError, message):
                    stripe_settings(environ)

    def test_test_keys_configure_stripe_in_test_mode(self):
        stripe = self.env.ref(
            "payment.payment_provider_stripe", raise_if_not_found=False
        )
        if not stripe or "stripe_secret_key" not in stripe._fields:
            self.skipTest("payment_stripe is not installed")
        done = self.env["payment.provider"]._saas_configure_stripe(self.TEST_KEYS)
        self.assertEqual(done, "Stripe test mode")
        self.assertEqual(stripe.state, "test")
        self.assertTrue(stripe.is_published)
        self.assertEqual(stripe.stripe_publishable_key, "pk_test_abc123")
        self.assertEqual(stripe.stripe_webhook_secret, "whsec_abc123")
        demo = self.env.ref("payment.payment_provider_demo", raise_if_not_found=False)
        if demo:
            self.assertNotEqual(demo.state, "disabled")

    def test_live_keys_disable_the_demo_provider(self):
        stripe = self.env.ref(
            "payment.payment_provider_stripe", raise_if_not_found=False
        )
        if not stripe or "stripe_secret_key" not in stripe._fields:
            self.skipTest("payment_stripe is not installed")
        done = self.env["payment.provider"]._saas_configure_stripe(
            {"STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_PUBLISHABLE_KEY": "pk_live_x"}
        )
        self.assertTrue(done.startswith("Stripe live"), done)
        self.assertEqual(stripe.state, "enabled")
        demo = self.env.ref("payment.payment_provider_demo", raise_if_not_found=False)
        if demo:
            self.assertEqual(demo.state, "disabled")

from odoo.tests import BaseCase, tagged

from ..lib.rate_limit import RateLimiter


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@tagged("post_install", "-at_install")
class TestRateLimiter(BaseCase):
    def setUp(self):
        super().setUp()
        self.clock = FakeClock()
        self.limiter = RateLimiter(window_seconds=60, clock=self.clock)

    def test_refuses_the_call_after_the_limit_until_the_window_passes(self):
        limits = {"session-a": 3}
        self.assertEqual(
            [self.limiter.hit(limits) for _i in range(4)], [True] * 3 + [False]
        )
        self.clock.now += 59
        self.assertFalse(self.limiter.hit(limits))
        self.clock.now += 1.5
        self.assertTrue(self.limiter.hit(limits))

    def test_any_key_at_its_limit_refuses_and_counts_nothing(self):
        self.assertTrue(self.limiter.hit({"s1": 5, "ip": 2}))
        self.assertTrue(self.limiter.hit({"s2": 5, "ip": 2}))
        # a third session from the same address: the address is at its limit
        self.assertFalse(self.limiter.hit({"s3": 5, "ip": 2}))
        # the refused call did not count for s3
        self.assertTrue(self.limiter.hit({"s3": 1}))

    def test_a_flood_of_keys_does_not_grow_without_bound(self):
        limiter = RateLimiter(window_seconds=60, max_keys=100, clock=self.clock)
        for number in range(1000):
            limiter.hit({number: 1})
        self.assertLessEqual(len(limiter._hits), 100)

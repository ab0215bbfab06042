import datetime

import time_machine

from pilot import clock


def test_today_is_the_local_date_in_asia_shanghai():
    moment = datetime.datetime(2021, 3, 10, 23, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        # 23:30 UTC is already 07:30 the next morning in Asia/Shanghai.
        assert clock.today() == datetime.date(2021, 3, 11)


def test_as_of_setting_pins_the_date_but_keeps_the_time_of_day(settings):
    settings.PILOT_AS_OF_DATE = datetime.date(2022, 6, 15)
    with time_machine.travel(datetime.datetime(2026, 11, 27, 2, 5, tzinfo=datetime.UTC)):
        now = clock.now()
        today = clock.today()
    assert today == datetime.date(2022, 6, 15)
    assert (now.year, now.month, now.day, now.hour, now.minute) == (2022, 6, 15, 10, 5)

from config.celery import ping


def test_a_task_goes_through_redis_to_a_real_worker_and_back(celery_worker):
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert result.successful()

"""The Prometheus counters: fed by the answer pipeline and the job queue, each service its own registry."""
from prometheus_client.parser import text_string_to_metric_families


def samples(service) -> dict:
    body, _ = service.counters.render()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body.decode()) for s in family.samples}


def test_answers_are_counted_by_outcome_and_timed(fake_service):
    fake_service.index.run()
    fake_service.answers.ask("What did Xi tell Biden?")
    fake_service.answers.ask("Do penguins waddle across Antarctic ice?")
    got = samples(fake_service)
    c = (("collection", "default"),)
    assert got[("rag_answers_total", (*c, ("outcome", "answered")))] == 1
    assert got[("rag_answers_total", (*c, ("outcome", "not_found")))] == 1
    assert got[("rag_ask_seconds_count", c)] == 2 and got[("rag_retrieval_seconds_count", c)] == 2
    assert got[("rag_index_documents", c)] == 1 and got[("rag_index_chunks", c)] >= 1


def test_a_job_is_counted_with_its_duration_and_embedding_rate(fake_service):
    job = fake_service.index.start()
    fake_service.index.jobs.wait(job.id, timeout=60)
    got = samples(fake_service)
    c = ("collection", "default")
    assert got[("rag_index_jobs_total", (c, ("kind", "reindex"), ("state", "done")))] == 1
    assert got[("rag_index_job_seconds_count", (c, ("kind", "reindex")))] == 1
    assert got[("rag_index_embedded_chunks_per_second", (c,))] > 0


def test_two_services_never_share_a_counter(fake_service):
    other = fake_service.reconfigured()
    fake_service.index.run()
    fake_service.answers.ask("What did Xi tell Biden?")
    assert ("rag_ask_seconds_count", (("collection", "default"),)) in samples(fake_service)
    assert ("rag_ask_seconds_count", (("collection", "default"),)) not in samples(other)

"""The one key test the routes and the MCP endpoint share."""
from rag.api.auth import bearer_matches


def test_only_the_bearer_form_of_the_exact_key_matches():
    assert bearer_matches("Bearer s3cret", "s3cret") and bearer_matches("bearer s3cret", "s3cret")
    assert not bearer_matches("Bearer s3cre", "s3cret") and not bearer_matches("s3cret", "s3cret")
    assert not bearer_matches("", "s3cret") and not bearer_matches("Basic s3cret", "s3cret")

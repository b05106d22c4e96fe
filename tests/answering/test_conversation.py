import pytest

from rag.answering.conversation import check_history, condense, is_follow_up
from rag.errors import ProviderError, UserInputError

HISTORY = [{"role": "user", "content": "What did Xi tell Biden?"},
           {"role": "assistant", "content": "Xi said Beijing would protect its core interests. [1]"}]


def test_standalone_question_is_left_alone():
    assert condense("What did Wang Yi say about Russia?", HISTORY) == "What did Wang Yi say about Russia?"
    assert condense("Where did they meet?", []) == "Where did they meet?"


def test_follow_up_gets_the_names_of_the_previous_question():
    assert condense("Where did they meet?", HISTORY) == "Where did they meet? (Xi Biden)"


def test_two_turns_of_follow_ups_use_the_latest_question():
    history = HISTORY + [{"role": "user", "content": "What did Lavrov discuss with Wang Yi?"},
                         {"role": "assistant", "content": "The Korean peninsula. [1]"}]
    assert condense("When did they meet?", history) == "When did they meet? (Lavrov Wang Yi)"


def test_model_rewrite_is_used_when_sane_and_ignored_when_not():
    assert condense("Where did they meet?", HISTORY, lambda p: "Where did Xi and Biden meet?") == \
        "Where did Xi and Biden meet?"
    assert condense("Where did they meet?", HISTORY, lambda p: "") == "Where did they meet? (Xi Biden)"

    def failing(prompt):
        raise ProviderError("down")

    assert condense("Where did they meet?", HISTORY, failing) == "Where did they meet? (Xi Biden)"


def test_follow_up_detection():
    assert is_follow_up("And Putin?") and is_follow_up("What did he say next?")
    assert not is_follow_up("What is the population of Brazil?")


@pytest.mark.parametrize("history", ["text", [{"role": "system", "content": "x"}], [{"role": "user"}],
                                     [{"role": "user", "content": 5}], [HISTORY[0]] * 41])
def test_bad_history_is_refused(history):
    with pytest.raises(UserInputError):
        check_history(history)

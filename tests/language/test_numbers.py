"""Numbers written in words, in digits and with fractions read as one value."""
from rag.language.numbers import digits, number_word, values, written_alike


def test_words_digits_and_fractions_give_one_value():
    assert values("six and a half minutes") == values("6 ½ minutes") == values("6.5 minutes") == {6.5}
    assert values("twenty-two passengers and 1,200 cars") == {22, 1200}
    assert values("a thing or two") == {2}  # an article alone counts nothing
    assert digits("six and 7 ½") == {7.5}


def test_a_number_word_is_held_only_by_its_own_value():
    assert number_word("eight") and number_word("half") and not number_word("8") and not number_word("ferry")
    assert written_alike("The crew took eight samples.", "The crew took 8 samples.")
    assert written_alike("It stopped six and a half minutes later.", "It stopped 6 ½ minutes later.")
    assert not written_alike("It stopped six minutes later.", "It stopped 6 ½ minutes later.")
    assert not written_alike("The crew took ten samples.", "The crew took 8 samples.")

import pytest

from chat.masking import HIDDEN, contact_details_mask


@pytest.mark.parametrize(
    "text",
    [
        "call me on 0412 345 678",
        "0412345678",
        "+61 412-345-678",
        "+61 (0)2 9876 5432",
        "(02) 9876 5432",
        "9876 5432",
        "0.4.1.2.3.4.5.6.7.8",
        "04 12 - 34 - 56 - 78",
        "+44 20 7946 0958",
        "+1-202-555-0143",
        "٠٤١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "\uff10\uff14\uff11\uff12 \uff13\uff14\uff15 \uff16\uff17\uff18",  # fullwidth digits
        "casey@example.com",
        "Casey.Smith+jobs@mail.example.com.au",
        "casey\uff20example.com",
        "casey (at) example (dot) com",
        "casey at example dot com",
    ],
)
def test_contact_details_are_hidden(text):
    masked = contact_details_mask(text)
    assert masked.hidden
    assert HIDDEN in masked.text
    assert not any(char.isdecimal() for char in masked.text.replace(HIDDEN, ""))
    assert "@" not in masked.text


@pytest.mark.parametrize(
    "text",
    [
        "It costs $1,200 for 3 hours",
        "Come on 2026-12-02 at 3 pm",
        "Unit 12, 45 George St",
        "see you at home, dot the i's",
        "<script>alert(1)</script>",
    ],
)
def test_ordinary_text_is_left_alone(text):
    masked = contact_details_mask(text)
    assert masked.text == text
    assert not masked.hidden

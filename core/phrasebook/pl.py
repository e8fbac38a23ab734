"""Polish (polski): the tenant is addressed as "Państwo" and the office writes as "my".

"Pani/Pan" would need the tenant's gender, and a name in the greeting would
need its vocative ("Pani Mario"), which cannot be made reliably from a name in
our records: the greeting is "Dzień dobry," without the name, as Polish
offices write. "Państwo" (plural verbs: "mogą Państwo") is the usual polite
form when the gender is not known; instructions use "prosimy" or "należy".
The office writes "we" even where the English follow-ups say "I", because the
Polish past tense of "I" shows the writer's gender ("poprosiłem/poprosiłam").
"Z poważaniem" takes no comma. Money: 1 234,56 with a no-break space between
the thousands (the Polish standard; a dot is not used in Polish).

For translators: {unit} is an address (or the unit's code) and follows
"lokalu"/"lokal"; every {label} is a neuter noun ("zgłoszenie", "zapytanie")
used in the nominative or accusative; every {team} is masculine or neuter
("nasz zespół…", "nasze biuro") in the nominative or accusative, never at the
start of a sentence and never with a verb in the past tense; {arrange} follows
"aby" or "staramy się" (an infinitive: "umówić wizytę"); {services} and {gas}
follow "pod" ("zadzwonić pod 112", "pod lokalny numer alarmowy").
"""

from __future__ import annotations

from core.phrasebook.phrases import Phrases

PHRASES = Phrases(
    code="pl",
    decimal_mark=",",
    thousands_separator="\u00a0",  # a no-break space: 1 234,56 never splits across lines
    # The letter
    greeting="Dzień dobry,",
    greeting_unknown="Dzień dobry,",
    signature="Z poważaniem\nAdministracja nieruchomości",
    unit_fallback="{unit_id}",
    copied="Kopia tej wiadomości trafia również do: {people}.",
    and_word="i",
    # First reply
    lockout_alerted=(
        "Przykro nam, że nie mogą Państwo dostać się do lokalu {unit}. Powiadomiliśmy nasz "
        "zespół dyżurny, który skontaktuje się z Państwem, aby zorganizować dostęp."
    ),
    lockout_keep_phone=(
        "Prosimy mieć telefon przy sobie, abyśmy mogli się z Państwem skontaktować, oraz "
        "odpowiedzieć na tę wiadomość, jeśli coś się zmieni."
    ),
    lockout_keep_phone_at=(
        "Prosimy mieć telefon przy sobie, abyśmy mogli się z Państwem skontaktować pod numerem "
        "{phone}, oraz odpowiedzieć na tę wiadomość, jeśli coś się zmieni."
    ),
    maintenance_urgent=(
        "Dziękujemy za niezwłoczną informację. Zarejestrowaliśmy pilne zgłoszenie dotyczące "
        "lokalu {unit} i powiadomiliśmy nasz zespół dyżurny."
    ),
    maintenance_logged=(
        "Dziękujemy za zgłoszenie. Zarejestrowaliśmy zgłoszenie usterki dotyczące lokalu "
        "{unit}, a nasz zespół techniczny skontaktuje się z Państwem, aby umówić wizytę."
    ),
    maintenance_if_worse=(
        "Jeśli w międzyczasie problem się nasili, prosimy o odpowiedź na tę wiadomość."
    ),
    rent_balance=(
        "Dziękujemy za wiadomość w sprawie czynszu. Według naszych danych do zapłaty za lokal "
        "{unit} pozostaje obecnie kwota {amount}."
    ),
    rent_no_balance=(
        "Dziękujemy za wiadomość w sprawie czynszu. Według naszych danych za lokal {unit} nie "
        "ma obecnie żadnej kwoty do zapłaty."
    ),
    rent_accounts="Nasz dział księgowości przeanalizuje Państwa pytanie i potwierdzi szczegóły.",
    general_urgent="Dziękujemy za niezwłoczną informację. Powiadomiliśmy nasz zespół dyżurny.",
    general_received="Dziękujemy za wiadomość. Otrzymaliśmy ją i wkrótce odpowiemy.",
    unknown_not_matched=(
        "Dziękujemy za wiadomość. Nie udało nam się powiązać Państwa adresu e-mail z żadnym "
        "mieszkańcem w naszej ewidencji, dlatego nie możemy omawiać drogą e-mailową żadnych "
        "szczegółów dotyczących najmu ani rozliczeń."
    ),
    unknown_verify=(
        "Jeśli mieszkają Państwo w jednym z naszych lokali, prosimy o wiadomość z adresu e-mail "
        "zapisanego w naszej ewidencji lub o odpowiedź z imieniem i nazwiskiem oraz numerem "
        "lokalu, abyśmy mogli potwierdzić Państwa tożsamość."
    ),
    # Follow-ups
    label_locked_out="zgłoszenie braku dostępu",
    label_maintenance="zgłoszenie usterki",
    label_rent="zapytanie w sprawie czynszu",
    label_general="zapytanie",
    team_locked_out="nasz zespół dyżurny",
    team_maintenance="nasz zespół techniczny",
    team_rent="nasz dział księgowości",
    team_general="nasze biuro",
    arrange_locked_out="zorganizować dostęp",
    arrange_maintenance="umówić wizytę",
    arrange_rent="udzielić odpowiedzi",
    arrange_general="udzielić odpowiedzi",
    reopened=(
        "Przykro nam, że problem powrócił. Ponownie otworzyliśmy Państwa {label} dotyczące "
        "lokalu {unit} i poprosiliśmy {team} o kontakt z Państwem, aby {arrange}."
    ),
    reopened_next="Prosimy o odpowiedź na tę wiadomość, jeśli w międzyczasie coś się zmieni.",
    update=(
        "Dziękujemy za nowe informacje. Uzupełniliśmy nimi Państwa {label} dotyczące lokalu "
        "{unit}, a {team} już je ma."
    ),
    update_next=(
        "Odezwiemy się w sprawie kolejnego kroku; jeśli w międzyczasie coś się zmieni, prosimy "
        "o odpowiedź na tę wiadomość."
    ),
    update_again=(
        "Dziękujemy, to bardzo pomocne. Nowe informacje ma już {team}, a Państwa {label} "
        "dotyczące lokalu {unit} zostało o nie uzupełnione."
    ),
    update_again_next="Damy Państwu znać, gdy tylko kolejny krok zostanie ustalony.",
    chaser=(
        "Przykro nam, że nadal muszą Państwo czekać. Oznaczyliśmy Państwa {label} dotyczące "
        "lokalu {unit} jako priorytetowe i poprosiliśmy {team} o jak najszybszy kontakt z "
        "Państwem, aby {arrange}."
    ),
    chaser_next="Potwierdzimy to e-mailem, gdy tylko wszystko zostanie ustalone.",
    chaser_again=(
        "Jeszcze raz przepraszamy za oczekiwanie. Państwa {label} dotyczące lokalu {unit} "
        "prowadzi teraz zarówno zarządca, jak i {team}, a my pilnie staramy się {arrange}."
    ),
    chaser_again_next="Odezwiemy się e-mailem, gdy tylko wszystko zostanie ustalone.",
    resolved="Dziękujemy za informację, że sprawa została rozwiązana. Zamknęliśmy zgłoszenie.",
    resolved_next="Wkrótce odpowiemy na Państwa pytanie.",
    closing="Dziękujemy za wiadomość. Wkrótce się odezwiemy.",
    new_request=(
        "Dziękujemy, że poinformowali nas Państwo również o tej sprawie. Zarejestrowaliśmy ją "
        "jako osobne {label} dotyczące lokalu {unit}, a {team} skontaktuje się z Państwem, aby "
        "{arrange}."
    ),
    new_request_next="Jeśli w międzyczasie coś się zmieni, prosimy o odpowiedź na tę wiadomość.",
    # Emergencies
    generic_services="lokalny numer alarmowy",
    life_gas=(
        "Jeśli czuć zapach gazu: nie wolno używać włączników światła, otwartego ognia ani "
        "urządzeń elektrycznych; należy opuścić budynek i dopiero na zewnątrz zadzwonić pod "
        "{gas}."
    ),
    life_co=(
        "Jeśli włączy się czujnik czadu (tlenku węgla) lub ktoś ma ból głowy, zawroty głowy "
        "albo nudności: należy natychmiast wyprowadzić wszystkich na świeże powietrze, zostawić "
        "za sobą otwarte drzwi i zadzwonić pod {services}."
    ),
    life_fire=(
        "W przypadku ognia lub dymu: należy opuścić budynek, zamknąć za sobą drzwi i zadzwonić "
        "pod {services}."
    ),
    life_electrical=(
        "Prosimy nie zbliżać się do gniazdka ani przewodów; jeśli można to zrobić bezpiecznie, "
        "należy wyłączyć ten obwód w skrzynce bezpiecznikowej. Jeśli pojawi się dym lub zapach "
        "spalenizny, należy wyjść i zadzwonić pod {services}."
    ),
    life_structural=(
        "Prosimy, aby nikt nie zbliżał się do miejsca, które może się zawalić; jeśli ktoś jest "
        "ranny lub znajduje się w zagrożonym miejscu, należy zadzwonić pod {services}."
    ),
    life_person=(
        "Jeśli ktoś jest ranny, uwięziony lub w niebezpieczeństwie, prosimy natychmiast "
        "zadzwonić pod {services}."
    ),
    property_water=(
        "Jeśli można to zrobić bezpiecznie, prosimy zakręcić wodę zaworem odcinającym (pod "
        "zlewem albo głównym zaworem w miejscu doprowadzenia wody). Prosimy nie zbliżać się do "
        "gniazdek, włączników i lamp, do których dociera woda."
    ),
    property_sewage=(
        "Prosimy nie korzystać z kranów, toalet ani odpływów, dopóki ktoś tego nie sprawdzi, "
        "oraz trzymać dzieci i zwierzęta z dala od wody."
    ),
    property_insecure=(
        "Jeśli nie czują się Państwo bezpiecznie, prosimy zatrzymać się u sąsiada lub "
        "znajomego, dopóki lokal nie zostanie zabezpieczony."
    ),
    property_cold=(
        "Prosimy ogrzać się w jednym pomieszczeniu przy zamkniętych drzwiach; nigdy nie należy "
        "ogrzewać mieszkania piekarnikiem ani grzejnikiem gazowym lub na węgiel drzewny."
    ),
    property_no_water=(
        "Prosimy trzymać krany zakręcone, aby nic się nie przelało, gdy woda wróci."
    ),
    maintenance_line=(
        "Numer naszego pogotowia technicznego to {line}; prosimy dzwonić, jeśli sytuacja się "
        "pogorszy."
    ),
    no_maintenance_line=(
        "Jeśli sytuacja się pogorszy, prosimy odpowiedzieć na tę wiadomość i napisać o tym na "
        "samym początku."
    ),
    locksmith="Z naszym ślusarzem można skontaktować się pod numerem {locksmith}.",
    # The holding reply
    holding_greeting="Dzień dobry,",
    holding_alerted_life="Otrzymaliśmy Państwa wiadomość i powiadomiliśmy nasz zespół dyżurny.",
    holding_alerted_property=(
        "Otrzymaliśmy Państwa wiadomość i powiadomiliśmy nasze dyżurne pogotowie techniczne."
    ),
    holding_if_changes="Jeśli coś się zmieni, prosimy odpowiedzieć na tę wiadomość.",
    holding_automatic=(
        "To jest wiadomość automatyczna; na Państwa e-mail odpowie osoba z naszego zespołu."
    ),
)

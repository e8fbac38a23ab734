"""Portuguese (português): Brazilian Portuguese (pt-BR), the variant our tenants write in.

Polite and gender-neutral: verbs in the third person and "seu/sua" (which
agree with the thing, not the person), no "você" and no "o senhor/a senhora"
(which would need the tenant's gender); "Agradecemos" rather than
"Obrigado/Obrigada". Money: 1.234,56.

For translators: every {label} (the request) is a feminine noun ("sua
solicitação…", "uma … separada", "como prioritária"); {team} follows "com",
"que" or "e", or is the subject of a clause, never the first word of a
sentence; {arrange} follows "para" (an infinitive: "agendar uma visita");
{services} and {gas} follow "para" ("ligue para 911", "ligue para o número de
emergência local").
"""

from __future__ import annotations

from core.phrasebook.phrases import Phrases

PHRASES = Phrases(
    code="pt",
    decimal_mark=",",
    thousands_separator=".",
    # The letter
    greeting="Olá, {first_name},",
    greeting_unknown="Olá,",
    signature="Atenciosamente,\nAdministração do imóvel",
    unit_fallback="a unidade {unit_id}",
    copied="Coloquei {people} em cópia neste e-mail.",
    and_word="e",
    # First reply
    lockout_alerted=(
        "Lamentamos que não esteja conseguindo acessar {unit}. Alertamos nossa equipe de "
        "plantão, que entrará em contato para organizar o acesso."
    ),
    lockout_keep_phone=(
        "Pedimos que mantenha o telefone por perto para que possamos entrar em contato, e que "
        "responda a este e-mail se algo mudar."
    ),
    lockout_keep_phone_at=(
        "Pedimos que mantenha o telefone por perto para que possamos entrar em contato pelo "
        "número {phone}, e que responda a este e-mail se algo mudar."
    ),
    maintenance_urgent=(
        "Agradecemos por nos avisar imediatamente. Registramos o caso como uma solicitação "
        "urgente para {unit} e alertamos nossa equipe de plantão."
    ),
    maintenance_logged=(
        "Agradecemos por relatar o problema. Registramos uma solicitação de manutenção para "
        "{unit}, e nossa equipe de manutenção entrará em contato para agendar uma visita."
    ),
    maintenance_if_worse=(
        "Se o problema piorar nesse meio-tempo, por favor, responda a este e-mail."
    ),
    rent_balance=(
        "Agradecemos sua mensagem sobre o aluguel. Nossos registros mostram atualmente um saldo "
        "de {amount} em aberto para {unit}."
    ),
    rent_no_balance=(
        "Agradecemos sua mensagem sobre o aluguel. Nossos registros não mostram atualmente "
        "nenhum saldo em aberto para {unit}."
    ),
    rent_accounts="Nosso setor financeiro vai analisar sua pergunta e confirmar os detalhes.",
    general_urgent="Agradecemos por nos avisar imediatamente. Alertamos nossa equipe de plantão.",
    general_received="Agradecemos sua mensagem. Nós a recebemos e responderemos em breve.",
    unknown_not_matched=(
        "Agradecemos sua mensagem. Não conseguimos associar seu endereço de e-mail aos nossos "
        "cadastros de moradores e, por isso, não podemos tratar por e-mail de nenhum detalhe de "
        "contrato de locação ou de conta."
    ),
    unknown_verify=(
        "Caso resida em um de nossos imóveis, pedimos que nos escreva a partir do endereço de "
        "e-mail que consta em nosso cadastro, ou que responda informando seu nome completo e "
        "sua unidade, para que possamos confirmar sua identidade."
    ),
    # Follow-ups
    label_locked_out="solicitação de acesso",
    label_maintenance="solicitação de manutenção",
    label_rent="dúvida sobre o aluguel",
    label_general="consulta geral",
    team_locked_out="nossa equipe de plantão",
    team_maintenance="nossa equipe de manutenção",
    team_rent="nosso setor financeiro",
    team_general="nosso escritório",
    arrange_locked_out="organizar o acesso",
    arrange_maintenance="agendar uma visita",
    arrange_rent="dar uma resposta",
    arrange_general="dar uma resposta",
    reopened=(
        "Lamento que o problema tenha voltado. Reabri sua {label} para {unit} e pedi que "
        "{team} entre em contato para {arrange}."
    ),
    reopened_next="Por favor, responda a este e-mail se algo mudar nesse meio-tempo.",
    update=(
        "Agradecemos a atualização. Incluí a informação na sua {label} para {unit}, e {team} "
        "já a recebeu."
    ),
    update_next=(
        "Entraremos em contato sobre o próximo passo; por favor, responda a este e-mail se algo "
        "mudar nesse meio-tempo."
    ),
    update_again=(
        "Agradecemos, isso ajuda bastante. Os novos dados já estão com {team}, na sua {label} "
        "para {unit}."
    ),
    update_again_next="Avisaremos assim que o próximo passo estiver organizado.",
    chaser=(
        "Lamento que ainda esteja esperando. Marquei sua {label} para {unit} como prioritária e "
        "pedi que {team} entre em contato o quanto antes para {arrange}."
    ),
    chaser_next="Confirmaremos por e-mail assim que estiver tudo organizado.",
    chaser_again=(
        "Peço desculpas novamente pela demora. Sua {label} para {unit} agora está com o gestor "
        "e também com {team}, e estamos trabalhando com urgência para {arrange}."
    ),
    chaser_again_next="Daremos notícias por e-mail assim que estiver tudo organizado.",
    resolved="Agradecemos por nos avisar que o problema foi resolvido. Encerramos a solicitação.",
    resolved_next="Responderemos à sua pergunta em breve.",
    closing="Agradecemos sua mensagem. Retornaremos em breve.",
    new_request=(
        "Agradecemos por nos informar também sobre isso. Registramos o caso como uma {label} "
        "separada para {unit}, e {team} entrará em contato para {arrange}."
    ),
    new_request_next="Se algo mudar nesse meio-tempo, por favor, responda a este e-mail.",
    # Emergencies
    generic_services="o número de emergência local",
    life_gas=(
        "Se sentir cheiro de gás: não use interruptores de luz, chamas nem aparelhos elétricos; "
        "saia do prédio e, já do lado de fora, ligue para {gas}."
    ),
    life_co=(
        "Se um alarme de monóxido de carbono tocar ou se alguém tiver dor de cabeça, tontura ou "
        "náusea: leve todos para o ar livre agora, deixe a porta aberta ao sair e ligue para "
        "{services}."
    ),
    life_fire=(
        "Se houver fogo ou fumaça: saia do prédio, feche as portas ao sair e ligue para {services}."
    ),
    life_electrical=(
        "Mantenha distância da tomada ou da fiação; se puder fazer isso com segurança, desligue "
        "esse circuito no disjuntor. Se houver fumaça ou cheiro de queimado, saia e ligue para "
        "{services}."
    ),
    life_structural=(
        "Mantenha todos longe da área que pode cair e ligue para {services} se alguém estiver "
        "ferido ou no caminho."
    ),
    life_person="Se alguém estiver ferido, preso ou em perigo, ligue para {services} agora.",
    property_water=(
        "Se puder fazer isso com segurança, feche a água no registro (embaixo da pia, ou o "
        "registro geral, onde a água entra). Mantenha distância de tomadas, interruptores e "
        "luminárias que a água atingir."
    ),
    property_sewage=(
        "Por favor, pare de usar torneiras, vasos sanitários e ralos até que o problema seja "
        "verificado, e mantenha crianças e animais de estimação longe da água."
    ),
    property_insecure=(
        "Se não se sentir em segurança, fique na casa de um vizinho ou de um amigo até que tudo "
        "esteja seguro."
    ),
    property_cold=(
        "Procure se aquecer em um único cômodo com a porta fechada; nunca use o forno nem "
        "aquecedores a gás ou a carvão para aquecer a casa."
    ),
    property_no_water=(
        "Por favor, mantenha as torneiras fechadas para que nada transborde quando a água voltar."
    ),
    maintenance_line=(
        "Nossa linha de manutenção de emergência é {line}; ligue para ela se a situação piorar."
    ),
    no_maintenance_line=(
        "Se a situação piorar, responda a este e-mail e diga isso logo no início."
    ),
    locksmith="Nosso chaveiro pode ser contatado pelo número {locksmith}.",
    # The holding reply
    holding_greeting="Olá, {first_name},",
    holding_alerted_life="Recebemos sua mensagem e alertamos nossa equipe de plantão.",
    holding_alerted_property=(
        "Recebemos sua mensagem e alertamos nossa equipe de manutenção de plantão."
    ),
    holding_if_changes="Se algo mudar, responda a este e-mail.",
    holding_automatic="Esta é uma mensagem automática; uma pessoa responderá ao seu e-mail.",
)

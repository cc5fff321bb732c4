"""Template and phrase bank of the synthetic sample corpus (see `signals/sample.py`).

Templates use `{slot}` fields. A slot is filled, in this order, from the generator's context,
from a computed value (`amount`, `minutes`, `mbit`, `version`, `order`, `invoice_no`, `pvm`, month
forms such as `kk_gen`, and the PII makers), from a slot group (several inflected forms of one
word chosen together, e.g. `laite` / `laitetta` / `laitteen`) or from a plain list in `SLOTS`.
All company, people and identifiers are fictional. Keep every string encodable in cp1252 except
emojis (the legacy export drops those).
"""
from __future__ import annotations

CUSTOMER_POOL = 450   # customer ids at scale 1.0 (about 400 of them end up contacting Valo)

FIRST_NAMES = ("Matti", "Jaana", "Mikko", "Päivi", "Sanna", "Jukka", "Tiina", "Antti", "Sari", "Pekka",
               "Minna", "Juha", "Heli", "Ville", "Anna", "Tuomas", "Kaisa", "Jörgen", "Emma", "Oskari",
               "Laura", "Aleksi", "Sofia", "Daniel", "Sara", "Niklas", "Hanna", "Eero", "Katja", "Jari")
LAST_NAMES = ("Virtanen", "Korhonen", "Mäkelä", "Nieminen", "Mäkinen", "Hämäläinen", "Laine", "Heikkinen",
              "Koskinen", "Järvinen", "Lehtonen", "Saarinen", "Lindqvist", "Salminen", "Söderberg", "Smith",
              "Kallio", "Räsänen", "Turunen", "Holmström", "Brown", "Kärkkäinen", "Peltonen", "Ahonen")
EMAIL_DOMAINS = ("example.com", "example.fi", "esimerkki.fi", "mail.example.net", "posti.example",
                 "firma.example.com", "kotiposti.example")
AGENT_NAMES = ("Laura", "Mikko", "Jenni", "Antti", "Sanna", "Teemu", "Riikka", "Jussi", "Elina", "Samuli",
               "Henna", "Olli", "Noora", "Ville")
STRIP_DIACRITICS = str.maketrans("äöåÄÖÅ", "aoaAOA")

MONTHS_FI = ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu", "heinäkuu", "elokuu",
             "syyskuu", "lokakuu", "marraskuu", "joulukuu")
MONTHS_FI_GEN = tuple(m + "n" for m in MONTHS_FI)
MONTHS_FI_INE = tuple(m + "ssa" for m in MONTHS_FI)
MONTHS_FI_ELA = tuple(m + "lta" for m in MONTHS_FI)
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
             "oktober", "november", "december")

# Plain slot lists per language. A slot missing from a language falls back to the Finnish list.
SLOTS: dict[str, dict[str, tuple[str, ...]]] = {
    "fi": {
        "aika_sitten": ("eilen", "toissapäivänä", "viime viikolla", "maanantaina", "jo viikko sitten",
                        "kolme päivää sitten", "viikonloppuna", "tänä aamuna", "perjantaina"),
        "kertaa": ("kolmannen kerran", "neljännen kerran", "jo toisen kerran", "viidettä kertaa",
                   "kolmatta kertaa tällä viikolla"),
        "usein": ("joka ilta", "monta kertaa päivässä", "parin tunnin välein", "koko viikonlopun",
                  "aina iltaisin", "päivittäin", "etenkin illalla kahdeksan jälkeen"),
        "paketti": ("100M", "300M", "1000M", "200 megan", "puolen gigan", "gigan"),
        "virhe": ("Jokin meni vikaan", "Kirjautuminen epäonnistui", "Virhe 503", "Tapahtui odottamaton virhe",
                  "Error 401", "Istunto vanhentui", "Yhteysvirhe"),
        "kauppa": ("Kampin myymälässä", "Sellon liikkeessä", "Ideaparkin myymälässä", "Koskikeskuksen liikkeessä",
                   "Oulun Valo-kaupassa", "Jumbon myymälässä"),
        "kesto": ("kolme päivää", "viikon", "kaksi viikkoa", "yli viikon", "10 päivää", "melkein kuukauden"),
        "kaupunki_ine": ("Tampereella", "Espoossa", "Oulussa", "Kuopiossa", "Jyväskylässä", "Turussa",
                         "Lahdessa", "Vantaalla", "Porissa", "Joensuussa", "Helsingissä", "Kalliossa"),
        "maa_ine": ("Espanjassa", "Virossa", "Ruotsissa", "Thaimaassa", "Kreikassa", "Saksassa", "Italiassa"),
        "nimi": AGENT_NAMES,
        "pitkaan": ("koko vuoden", "jo kaksi vuotta", "siitä asti kun vaihdoin Valolle", "koko kesän",
                    "muuton jälkeen"),
        "kuljetus": ("Posti", "Matkahuolto", "kuriiri", "DB Schenker", "Budbee"),
    },
    "en": {
        "when": ("yesterday", "last week", "on Monday", "over the weekend", "three days ago", "a week ago",
                 "this morning", "on Friday"),
        "nth": ("third", "fourth", "fifth", "second"),
        "how_often": ("every evening", "several times a day", "every couple of hours", "all weekend",
                      "constantly", "daily", "mostly after 8 pm"),
        "speed_plan": ("100M", "300M", "1 gig", "500 Mbps", "1000M"),
        "app": ("the app", "the Valo app", "the My Valo app", "the Valo mobile app", "your app"),
        "phone_dev": ("iPhone", "Samsung", "Android phone", "Pixel", "phone", "iPhone 13"),
        "error": ("Something went wrong", "Login failed", "Error 503", "Unexpected error", "Error 401",
                  "Session expired", "Connection error"),
        "store": ("the Kamppi store", "your Sello store", "the Ideapark shop", "the store in Tampere",
                  "the Oulu store", "the Jumbo store"),
        "duration": ("three days", "a week", "two weeks", "over a week", "10 days", "almost a month"),
        "city": ("Tampere", "Espoo", "Oulu", "Kuopio", "Jyväskylä", "Turku", "Lahti", "Vantaa", "Helsinki"),
        "country": ("Spain", "Estonia", "Sweden", "Thailand", "Greece", "Germany", "Italy"),
        "device": ("router", "modem", "new router", "WiFi router", "5G modem", "mesh kit", "fibre router"),
        "name": AGENT_NAMES,
        "for_long": ("all year", "for two years now", "since I switched to Valo", "all summer", "since we moved"),
        "carrier": ("Posti", "Matkahuolto", "the courier", "DB Schenker", "Budbee"),
    },
    "sv": {
        "stad": ("Helsingfors", "Esbo", "Vasa", "Åbo", "Borgå", "Jakobstad"),
        "apparat": ("routern", "modemet", "den nya routern"),
        "namn": AGENT_NAMES,
    },
}

# Slot groups: inflected forms of one word, chosen together. GROUPS[lang][group] -> list of forms.
GROUPS: dict[str, dict[str, list[dict[str, str]]]] = {
    "fi": {
        "netti": [
            {"netti": "kotinetti", "nettia": "kotinettiä", "netin": "kotinetin", "netissa": "kotinetissä"},
            {"netti": "kuituliittymä", "nettia": "kuituliittymää", "netin": "kuituliittymän",
             "netissa": "kuituliittymässä"},
            {"netti": "laajakaista", "nettia": "laajakaistaa", "netin": "laajakaistan", "netissa": "laajakaistassa"},
            {"netti": "nettiyhteys", "nettia": "nettiyhteyttä", "netin": "nettiyhteyden",
             "netissa": "nettiyhteydessä"},
            {"netti": "5G-kotinetti", "nettia": "5G-kotinettiä", "netin": "5G-kotinetin",
             "netissa": "5G-kotinetissä"},
            {"netti": "netti", "nettia": "nettiä", "netin": "netin", "netissa": "netissä"},
        ],
        "laite": [
            {"laite": "reititin", "laitetta": "reititintä", "laitteen": "reitittimen", "laitteella": "reitittimellä",
             "laitteessa": "reitittimessä"},
            {"laite": "modeemi", "laitetta": "modeemia", "laitteen": "modeemin", "laitteella": "modeemilla",
             "laitteessa": "modeemissa"},
            {"laite": "uusi reititin", "laitetta": "uutta reititintä", "laitteen": "uuden reitittimen",
             "laitteella": "uudella reitittimellä", "laitteessa": "uudessa reitittimessä"},
            {"laite": "WiFi-reititin", "laitetta": "WiFi-reititintä", "laitteen": "WiFi-reitittimen",
             "laitteella": "WiFi-reitittimellä", "laitteessa": "WiFi-reitittimessä"},
            {"laite": "5G-modeemi", "laitetta": "5G-modeemia", "laitteen": "5G-modeemin",
            "laitteella": "5G-modeemilla",
             "laitteessa": "5G-modeemissa"},
            {"laite": "mesh-laite", "laitetta": "mesh-laitetta", "laitteen": "mesh-laitteen",
             "laitteella": "mesh-laitteella", "laitteessa": "mesh-laitteessa"},
        ],
        "app": [
            {"app": "sovellus", "appia": "sovellusta", "appiin": "sovellukseen", "apin": "sovelluksen",
             "apissa": "sovelluksessa"},
            {"app": "Valo-sovellus", "appia": "Valo-sovellusta", "appiin": "Valo-sovellukseen",
             "apin": "Valo-sovelluksen", "apissa": "Valo-sovelluksessa"},
            {"app": "Oma Valo -sovellus", "appia": "Oma Valo -sovellusta", "appiin": "Oma Valo -sovellukseen",
             "apin": "Oma Valo -sovelluksen", "apissa": "Oma Valo -sovelluksessa"},
            {"app": "appi", "appia": "appia", "appiin": "appiin", "apin": "apin", "apissa": "apissa"},
            {"app": "Valon appi", "appia": "Valon appia", "appiin": "Valon appiin", "apin": "Valon apin",
             "apissa": "Valon apissa"},
        ],
        "luuri": [
            {"luuri": "iPhone", "luurilla": "iPhonella", "luurissa": "iPhonessa"},
            {"luuri": "Samsung", "luurilla": "Samsungilla", "luurissa": "Samsungissa"},
            {"luuri": "Android-puhelin", "luurilla": "Android-puhelimella", "luurissa": "Android-puhelimessa"},
            {"luuri": "puhelin", "luurilla": "puhelimella", "luurissa": "puhelimessa"},
            {"luuri": "kännykkä", "luurilla": "kännykällä", "luurissa": "kännykässä"},
        ],
    },
}
GROUP_OF: dict[str, dict[str, str]] = {
    lang: {key: name for name, forms in groups.items() for key in forms[0]} for lang, groups in GROUPS.items()
}

# --- around the message: openers, closers, emotion --------------------------------------------

OPENERS = {
    "fi": ("Hei,", "Moi!", "Hei!", "Moikka,", "Hyvä Valo,", "Terve.", "Hei vaan,", "No niin.", "Huomenta,",
           "Iltaa,", "Hei asiakaspalvelu,", "Moro,", "Hei, asiaa teille.", "Ei tässä mitään, mutta"),
    "en": ("Hi,", "Hello,", "Hi there!", "Hey,", "Dear Valo,", "Good morning,", "Hello team,", "Hi Valo,",
           "Ok so", "Hey there,", "Evening,"),
    "sv": ("Hej,", "Hej!", "Hejsan,", "Bästa Valo,", "God morgon,"),
}
CLOSERS = {
    "fi": ("Kiitos.", "Kiitos etukäteen.", "Korjatkaa pian.", "Odotan vastausta.", "Toivottavasti asia hoituu.",
           "Terveisin asiakas", "t. pitkäaikainen asiakas", "Kiitos jos joku jaksaa katsoa.", "Pliis korjatkaa.",
           "Ottakaa yhteyttä.", "Vastatkaa edes jotain.", "Miten tämä nyt hoidetaan?", "Kiitos vastauksesta!",
           "Toivottavasti tästä on apua muillekin."),
    "en": ("Thanks.", "Thanks in advance.", "Please fix this.", "Looking forward to your reply.",
           "Hope you can sort it out.", "Regards", "Cheers", "Please get back to me.", "What happens now?",
           "Any update would be appreciated.", "Thank you.", "Kind regards, a long-time customer"),
    "sv": ("Tack.", "Tack på förhand.", "Hälsningar", "Vänligen återkom."),
}
PRAISE_CLOSERS = {
    "fi": ("Kiitos!", "Jatkakaa samaan malliin!", "Hyvää päivänjatkoa.", "Suosittelen Valoa kaikille.",
           "Viisi tähteä!", "Iso kiitos vielä kerran.", "Ihan parasta.", "Kiitti!"),
    "en": ("Thanks!", "Keep it up!", "Have a great day.", "Would recommend Valo.", "Five stars!",
           "Big thanks again.", "Much appreciated."),
    "sv": ("Tack!", "Fortsätt så!", "Ha en bra dag.", "Tusen tack."),
}
ANGER = {
    "fi": ("Todella huonoa palvelua!", "Ihan järkyttävää touhua.", "Olen tosi pettynyt.", "Tämä on jo naurettavaa.",
           "Ei voi olla totta.", "Mikä ihme teitä vaivaa?", "Raivostuttaa.", "Aivan surkeaa.",
           "Nyt loppui kärsivällisyys.", "Onko teillä siellä kukaan töissä?", "Taas kerran!", "Oikeesti??",
           "Ei toimi yhtään mikään.", "Olen maksanut tästä ihan turhaan.", "Hävetkää."),
    "en": ("This is ridiculous.", "Absolutely terrible service!", "I'm really disappointed.", "Unbelievable.",
           "What a joke.", "I'm fed up.", "Seriously??", "This is unacceptable.", "Worst experience ever.",
           "My patience has run out.", "Is anyone even working there?", "Not impressed at all.",
           "I am paying for nothing.", "Again!!"),
}
NEUTRAL_CLOSERS = {
    "fi": ("Kiitos.", "Kiitos etukäteen.", "Odotan vastausta.", "Terveisin", "Kiitos vastauksesta!", "Kiitti"),
    "en": ("Thanks.", "Thanks in advance.", "Regards", "Cheers", "Thank you.", "Thanks for your help"),
    "sv": ("Tack.", "Tack på förhand.", "Hälsningar"),
}
CLOSERS_BY_TONE = {"negative": CLOSERS, "positive": PRAISE_CLOSERS, "neutral": NEUTRAL_CLOSERS}
EMOJI = {"negative": ("😡", "🙁", "👎", "😤", "🤬"), "positive": ("👍", "🙂", "😊", "⭐⭐⭐⭐⭐", "🙏"),
         "neutral": ("🙂", "🤔", "🙏")}
# First words that keep their capital after an opener such as "Hei vaan,".
KEEP_CAPS = frozenset({"I", "I'm", "I've", "I'd", "I'll", "Valo", "Valon", "Valo's", "Valo-sovellus", "Oma", "My",
                       "Valo-sovellusta", "Teams", "Posti", "Matkahuolto", "DB", "Budbee", "E-laskun", "PUK-koodi",
                       "Speedtest", "WiFi-reititin", "iPhone", "Samsung", "Android-puhelin", "Pixel", "SIM",
                       "Hej", "Jag", "Appen"}) | frozenset(AGENT_NAMES)

# --- customer-experience cues (customer voice) -------------------------------------------------

CUES = {
    "repeat": {
        "fi": ("Soitin jo {kertaa} samasta asiasta.", "Tämä on jo {kertaa} kun otan yhteyttä.",
               "Olen ilmoittanut tästä jo aiemmin.", "Kirjoitin tästä jo viime viikolla.",
               "Sama vika kuin viimeksi.", "Taas kerran sama juttu.",
               "Otin yhteyttä {aika_sitten}, eikä mitään tapahtunut.",
               "Mä oon valittanu tästä jo monta kertaa.", "En jaksa enää selittää tätä uudestaan."),
        "en": ("This is the {nth} time I'm contacting you about this.",
               "Third time I'm calling about the same thing.",
               "I already reported this {when}.", "Same problem as last time.", "I've written about this before.",
               "I keep explaining the same thing over and over.", "Contacted you {when} and nothing happened."),
    },
    "broken_promise": {
        "fi": ("Luvattiin soittaa takaisin mutta kukaan ei soittanut.",
               "Minulle luvattiin hyvitys, mutta sitä ei ole näkynyt.",
               "Asiakaspalvelussa sanottiin että asia on korjattu. Ei ole.",
               "Luvattu soittopyyntö ei koskaan toteutunut.",
               "Piti korjaantua viikossa, ei korjaantunut.",
               "Lupasitte ilmoittaa tekstiviestillä, ei ole kuulunut mitään."),
        "en": ("You promised a callback that never came.", "I was promised a refund and it never arrived.",
               "Support told me it was fixed. It wasn't.", "Nobody called me back even though it was promised.",
               "It was supposed to be sorted within a week.", "You said you'd text me an update - nothing."),
    },
    "escalation": {
        "fi": ("Vien asian kuluttajaneuvontaan.", "Jos tätä ei korjata, vaihdan operaattoria.",
               "Harkitsen vakavasti liittymän irtisanomista.", "Teen tästä valituksen kuluttajariitalautakuntaan.",
               "Vaihdan operaattoria heti kun sopimus loppuu.",
               "Kilpailija tarjoaa saman halvemmalla, kannattaisko vaihtaa.",
               "Haluan puhua esimiehen kanssa."),
        "en": ("I'm switching to another provider.", "I will take this to the consumer authority.",
               "If this isn't fixed I'm cancelling my contract.", "I want to speak to a manager.",
               "Seriously considering moving to another operator.", "I'll be filing a formal complaint."),
    },
    "waiting": {
        "fi": ("Jonotin {minutes} minuuttia puhelimessa.", "Jonossa meni {minutes} min ja sitten puhelu katkesi.",
               "Chatissa odotin yli {minutes} minuuttia.",
               "Asiakaspalveluun ei pääse läpi, jonotusaika {minutes} minuuttia.",
               "Odotin linjalla {minutes} minuuttia turhaan."),
        "en": ("Waited {minutes} minutes on hold.", "I was on hold for an hour and then got cut off.",
               "Waited over {minutes} minutes in the chat queue.",
               "Your phone line is impossible, {minutes} min queue.",
               "Spent {minutes} minutes waiting for an agent."),
    },
    "channel_switch": {
        "fi": ("Chatissa käskettiin soittaa.", "Puhelimessa käskettiin laittaa sähköpostia.",
               "Myymälässä sanottiin että soita asiakaspalveluun.", "Chatbot ohjasi minut vain ukk-sivulle.",
               "Sovelluksen kautta ei voi hoitaa, pitää kuulemma soittaa."),
        "en": ("The chat told me to call.", "On the phone they told me to send an e-mail instead.",
               "The store sent me to customer service.", "The chatbot just kept linking me to the FAQ.",
               "I was told to use the app, the app told me to call."),
    },
}

# --- PII sentences: PII_TEXT[kind][lang] (customer voice) and NOTE_PII[kind][lang] --------------

PII_TEXT = {
    "phone": {"fi": ("Soittakaa numeroon {phone}.", "Numeroni on {phone}.", "Tavoitatte minut numerosta {phone}.",
                     "soittopyyntö numeroon {phone} kiitos"),
              "en": ("Call me on {phone}.", "My number is {phone}.", "You can reach me at {phone}."),
              "sv": ("Ring mig på {phone}.", "Mitt nummer är {phone}.")},
    "email": {"fi": ("Sähköpostini on {email}.", "Vastatkaa osoitteeseen {email}.", "s-posti: {email}"),
              "en": ("My email is {email}.", "Please reply to {email}.", "email: {email}"),
              "sv": ("Min e-post är {email}.", "Svara till {email}.")},
    "hetu": {"fi": ("Henkilötunnukseni on {hetu}, jos sitä tarvitaan.", "hetu {hetu}", "Tunnistautumiseen: {hetu}."),
             "en": ("My personal identity code is {hetu}.", "ID code {hetu} if you need it."),
             "sv": ("Min personbeteckning är {hetu}.",)},
    "iban": {"fi": ("Palauttakaa rahat tilille {iban}.", "Tilinumeroni on {iban}.", "Hyvitys tilille {iban} kiitos."),
             "en": ("Please refund to my account {iban}.", "My IBAN is {iban}."),
             "sv": ("Betala tillbaka till kontot {iban}.",)},
    "card": {"fi": ("Kortilta {card} veloitettiin.", "Maksoin kortilla {card}.",
                    "Korttini on {card}, veloitus näkyy siellä."),
             "en": ("It was charged to my card {card}.", "I paid with card {card}."),
             "sv": ("Det drogs från mitt kort {card}.",)},
}
NOTE_PII = {
    "phone": {"fi": ("takaisinsoitto nroon {phone}", "as. pyytää soittoa {phone}", "uusi yhteysnro {phone}"),
              "en": ("callback to {phone}", "new contact no {phone}")},
    "email": {"fi": ("vastaus sähköpostiin {email}", "s-posti päivitetty: {email}"),
              "en": ("reply by email to {email}", "email updated {email}")},
    "hetu": {"fi": ("tunnistettu hetulla {hetu}", "hetu {hetu} tarkistettu"),
             "en": ("verified with ID code {hetu}",)},
    "iban": {"fi": ("palautus tilille {iban}", "as. antoi tilinron {iban}"),
             "en": ("refund to account {iban}",)},
    "card": {"fi": ("veloitus kortilta {card} tarkistettu", "kortti {card}"),
             "en": ("charge on card {card} checked",)},
}

# --- call-note vocabulary ------------------------------------------------------------------

NOTE_CUES = {
    "repeat": {"fi": ("3. yhteydenotto samasta asiasta", "as. soittanut jo {kertaa}", "toistuva yhteydenotto",
                      "sama asia kuin ed. viikolla", "aiempi tiketti ei ratkaissut"),
               "en": ("3rd contact re same issue", "cust called {nth} time", "repeat contact",
                      "same issue as last wk")},
    "broken_promise": {"fi": ("luvattu soittopyyntö ei toteutunut", "aiemmin luvattu hyvitys puuttuu",
                              "as:lle luvattu korjaus viikossa, ei tehty", "takaisinsoittoa ei tullut"),
                       "en": ("promised callback never happened", "earlier promised credit missing",
                              "fix promised last wk not done")},
    "escalation": {"fi": ("uhkaa vaihtaa operaattoria", "mainitsi kuluttajaneuvonnan", "as. haluaa esimiehen soiton",
                          "irtisanomisuhka", "as. tekee valituksen"),
                   "en": ("threatens to switch provider", "mentioned consumer authority", "wants supervisor callback",
                          "churn risk")},
    "waiting": {"fi": ("as. jonottanut {minutes} min", "jonotusaika {minutes} min, as. kiukkuinen",
                       "as. jonotti {minutes} min ja valitti jonosta"),
                "en": ("cust waited {minutes} min in queue", "long queue {minutes} min, cust upset")},
    "channel_switch": {"fi": ("chat ohjannut soittamaan", "myymälä ohjasi asiakaspalveluun",
                              "botti ei auttanut, soitti"),
                       "en": ("chat sent cust to phone", "store referred cust to CS", "bot did not help")},
}
NOTE_MOOD = {
    "fi": ("as. erittäin tyytymätön", "as. vihainen", "as. turhautunut", "kiukkuinen puhelu", "as. korotti ääntään",
           "as. pettynyt"),
    "en": ("cust very unhappy", "angry customer", "cust frustrated", "cust raised voice", "cust disappointed"),
}
NOTE_OUTCOME = {
    "refund_promised": {"fi": ("hyvitys luvattu", "hyvitys {amount} luvattu seur. laskulle", "hyvitetty {amount}",
                               "hyvityspyyntö laskutukseen"),
                        "en": ("refund promised", "credit of {amount} on next invoice", "refund request to billing")},
    "resolved": {"fi": ("ratkaistu puhelun aikana", "asia hoidettu", "ok", "korjattu, as. tyytyväinen", "selvitetty"),
                 "en": ("resolved on call", "sorted", "fixed, cust happy", "done")},
    "callback": {"fi": ("soittopyyntö", "soittopyyntö 2. linjalle", "soitetaan takaisin huomenna",
                        "takaisinsoitto sovittu"),
                 "en": ("callback requested", "callback to 2nd line", "will call back tomorrow")},
    "ticket": {"fi": ("tiketti tehty", "vikailmoitus tehty", "tiketti tekniselle tuelle", "tiketti avattu, seuranta"),
               "en": ("ticket created", "fault ticket opened", "ticket to tech support")},
    "escalated": {"fi": ("eskaloitu esimiehelle", "siirretty 2. linjalle", "eskalointi tehty"),
                  "en": ("escalated to supervisor", "escalated to 2nd line")},
    "technician": {"fi": ("asentajakäynti varattu", "asentaja tulee {pvm}", "tekn. käynti sovittu"),
                   "en": ("technician visit booked", "tech visit on {date}")},
    "info_given": {"fi": ("ohjeistettu", "annettu ohjeet", "neuvottu", "lähetetty ohjeet tekstiviestillä"),
                   "en": ("instructions given", "advised cust", "sent instructions by SMS")},
}
PASTE_HEADERS = ("---- Alkuperäinen viesti ----", "Lähettäjä: asiakas", "> ", "---- Edellinen viesti ----",
                 "Aihe: VS: VS: Laskutus", "Lähetetty iPhonesta", "-----")

# --- chat flow ------------------------------------------------------------------------------

BOT_HELLO = {
    "fi": ("Hei! Olen Valon virtuaaliavustaja Vilja. Miten voin auttaa?",
           "Hei ja tervetuloa Valon chattiin! Kerro lyhyesti asiasi.",
           "Moi! Vilja täällä, Valon digiavustaja. Mitä asiasi koskee?"),
    "en": ("Hi! I'm Vilja, Valo's virtual assistant. How can I help?",
           "Hello and welcome to Valo chat! Briefly tell me what this is about.",
           "Hey! Vilja here, Valo's digital assistant. What can I do for you?"),
    "sv": ("Hej! Jag är Valos virtuella assistent Vilja. Hur kan jag hjälpa dig?",),
}
BOT_CLARIFY = {
    "fi": ("Ymmärsin, että asiasi koskee aihetta: {topic}. Pitääkö paikkansa?",
           "Koskeeko asiasi aihetta \"{topic}\"?"),
    "en": ("I understood your question is about: {topic}. Is that right?", "Is this about {topic}?"),
    "sv": ("Gäller ditt ärende: {topic}?",),
}
BOT_SELF_HELP = {
    "fi": ("Tästä löydät ohjeet: valo.example/ohjeet. Voinko auttaa vielä jossain?",
           "Asian voi hoitaa itse Oma Valossa kohdassa Asetukset. Autoinko?"),
    "en": ("You'll find instructions here: valo.example/help. Anything else?",
           "You can do this yourself in My Valo under Settings. Did that help?"),
    "sv": ("Här hittar du instruktioner: valo.example/hjalp. Något annat?",),
}
BOT_HANDOVER = {
    "fi": ("Siirrän sinut asiakaspalvelijalle. Arvioitu jonotusaika on {n} minuuttia.",
           "Ohjaan keskustelun asiantuntijalle, odotusaika noin {n} min.",
           "Hetki, yhdistän sinut asiakaspalvelijalle."),
    "en": ("I'll transfer you to an agent. Estimated waiting time is {n} minutes.",
           "Connecting you to a specialist, the wait is about {n} min.", "One moment, connecting you to an agent."),
    "sv": ("Jag kopplar dig till en kundtjänstmedarbetare. Väntetid cirka {n} minuter.",),
}
AGENT_HELLO = {
    "fi": ("Hei, olen {agent} Valon asiakaspalvelusta.", "Moi, {agent} täällä! Kiitos odottamisesta.",
           "Hei! Pahoittelut odotuksesta, täällä {agent}.", "Hyvää päivää, {agent} Valolta. Katsotaan asiaa."),
    "en": ("Hi, this is {agent} from Valo customer service.", "Hello, {agent} here! Thanks for waiting.",
           "Hi! Sorry for the wait, my name is {agent}.", "Good day, {agent} from Valo. Let me look into this."),
    "sv": ("Hej, jag heter {agent} och jobbar på Valos kundtjänst.", "Hej! Förlåt väntan, {agent} här."),
}
AGENT_GENERIC = {
    "fi": ("Tarkistan asian, hetki vain.", "Kiitos tiedoista, selvitän tämän.",
           "Teen asiasta tiketin, saat viestin kun edistyy."),
    "en": ("Let me check that for you.", "Thanks for the details, I'll look into it.",
           "I'll open a ticket and update you."),
    "sv": ("Jag kollar saken, ett ögonblick.", "Tack för informationen, jag reder ut det här.",
           "Jag gör ett ärende och återkommer."),
}
AGENT_CLOSE = {
    "fi": ("Kiitos yhteydenotosta ja mukavaa päivänjatkoa!", "Hyvää illanjatkoa!",
           "Ota rohkeasti uudestaan yhteyttä tarvittaessa."),
    "en": ("Thanks for contacting us, have a nice day!", "Have a good evening!",
           "Feel free to get back to us anytime."),
    "sv": ("Tack för att du kontaktade oss, ha en bra dag!",),
}
EVENING_WORDS = ("illan", "evening")
CHAT_YES = {"fi": ("joo", "kyllä", "juu", "joo se", "kyl", "joo just"), "en": ("yes", "yep", "yeah that's right",
                   "correct"),
            "sv": ("ja", "japp")}
CHAT_ACK = {"fi": ("ok kiitos", "okei", "selvä, kiitos", "kiitti", "ok", "no katotaan", "ok, odotan"),
            "en": ("ok thanks", "okay", "alright, thank you", "thx", "ok", "fine, I'll wait"),
            "sv": ("ok tack", "tack", "okej")}
CHAT_NUDGE = {"fi": ("Haloo?", "onko siellä ketään", "Kauanko tässä vielä menee?", "???", "Halooo"),
              "en": ("Hello?", "is anyone there", "How long is this going to take?", "???", "hellooo"),
              "sv": ("Hallå?", "Är det någon där?")}
CHAT_REPEAT = {"fi": ("Kuten jo sanoin: {text}", "Eli siis: {text}", "{text}", "Toistan: {text}"),
               "en": ("As I already said: {text}", "Again: {text}", "{text}", "Like I said, {text}"),
               "sv": ("Som jag redan skrev: {text}", "{text}")}

CUSTOMER: dict[str, dict[str, tuple[str, ...]]] = {}
NOTES: dict[str, dict[str, tuple[str, ...]]] = {}
AGENT_REPLIES: dict[str, dict[str, tuple[str, ...]]] = {}
TOPIC_LABEL: dict[str, dict[str, tuple[str, ...]]] = {}

# === theme: billing ==========================================================================
CUSTOMER["billing"] = {
    "fi": (
        "Mun {kk_gen} lasku on ihan väärin, siinä on {amount} ylimääräistä.",
        "Laskulla on veloitettu kahteen kertaan samasta liittymästä.",
        "Teidän laskutus on taas sekaisin: {kk_gen} laskussa on maksu palvelusta jota en ole tilannut.",
        "Miksi minulta on veloitettu {amount} vaikka irtisanoin liittymän jo {kk_ine}?",
        "Sain laskun jonka summa on {amount}, normaalisti maksan puolet siitä.",
        "Lasku tuli kahdesti ja molemmat meni maksuun. Haluan hyvityksen.",
        "Hyvitystä on luvattu jo {kk_ela} asti, eikä mitään ole tullut tilille.",
        "Laskussa nro {invoice_no} on virhe, kampanjahintaa ei ole huomioitu.",
        "Kuukausimaksu nousi yllättäen {amount}, mistä tää johtuu?",
        "Maksoin laskun ajallaan mutta silti tuli maksumuistutus ja muistutuskulu.",
        "En ymmärrä laskua yhtään. Mikä on tää palvelumaksu {amount}?",
        "Teitte tuplaveloituksen mun tililtä, palauttakaa rahat.",
        "Laskutus jatkuu vaikka liittymä siirrettiin toiselle omistajalle {aika_sitten}.",
        "Perintäkirje tuli laskusta jonka oon jo maksanut, ihan käsittämätöntä.",
        "Pyysin hyvitystä katkoksesta mutta laskulla ei näy mitään hyvitystä.",
        "{kk_gen} laskussa on roaming-maksuja vaikka en ole käynyt ulkomailla.",
        "laskun eräpäivä meni ohi koska laskua ei tullut ollenkaan, ja nyt on perintäkulut",
        "Minulta veloitettiin {amount} puhelusta palvelunumeroon, jota en ole soittanut.",
        "Yrityksemme laskulla on kolme liittymää joita meillä ei edes ole.",
    ),
    "en": (
        "My {month} invoice is wrong, there's an extra {amount} on it.",
        "I've been charged twice for the same subscription.",
        "Why was I billed {amount} after I cancelled my plan in {month}?",
        "The bill is almost double what I normally pay. Please explain.",
        "I paid the invoice on time but still got a reminder fee.",
        "Double charge on my card this month, I want a refund.",
        "Still waiting for the refund I was promised back in {month}.",
        "Invoice {invoice_no} doesn't include the campaign discount I signed up for.",
        "There's a service fee of {amount} on my bill and nobody can tell me what it is.",
        "You keep billing me for a subscription that was transferred to someone else {when}.",
        "Got a debt collection letter for a bill I already paid. Not OK.",
        "Roaming charges on my invoice although I haven't been abroad.",
        "The monthly fee went up by {amount} without any notice.",
        "Billing is a mess, three different amounts in three months for the same plan.",
        "I was charged {amount} for a premium number I never called.",
        "Our company invoice lists phone lines we don't even have.",
    ),
    "sv": (
        "Jag har blivit fakturerad två gånger för samma abonnemang.",
        "Fakturan för {manad} är fel, det står {amount} för mycket.",
        "Jag väntar fortfarande på återbetalningen som utlovades.",
        "Varför fick jag en påminnelseavgift fast jag betalade i tid?",
        "Ni fortsätter att fakturera mig fast jag sade upp abonnemanget i {manad}.",
    ),
}
NOTES["billing"] = {
    "fi": (
        "as. soitti, lasku virheellinen", "as. soitti {kk_gen} laskusta, tuplaveloitus",
        "laskulla ylimääräinen {amount}, tarkistettu laskutuksesta", "as. kysyi hyvitystä {kk_gen} katkoksesta",
        "maksumuistutus aiheeton, as. maksanut ajallaan", "irtisanottu liittymä laskutettu edelleen",
        "kampanjahinta puuttui laskulta nro {invoice_no}", "as. ei ymmärrä laskun palvelumaksua {amount}",
        "perintäkirje maksetusta laskusta", "kk-maksu noussut, as. ihmetteli", "laskutusvirhe, veloitettu kahdesti",
        "As. soitti: lasku {amount} liian suuri", "yritysas., laskulla liittymiä joita ei ole",
    ),
    "en": (
        "cust called re wrong invoice", "double charge on {month} bill",
        "extra {amount} on invoice, checked w/ billing",
        "reminder fee disputed, cust paid on time", "cancelled sub still billed",
        "campaign price missing on invoice {invoice_no}",
        "cust asked about refund for outage", "Caller disputes service fee {amount}",
        "roaming charges on bill, cust not abroad",
    ),
}
AGENT_REPLIES["billing"] = {
    "fi": ("Näen laskullasi tuplaveloituksen, teen hyvityksen seuraavalle laskulle.",
           "Tarkistan laskun erittelyn, hetki.",
           "Pahoittelut virheestä! Hyvitys {amount} näkyy seuraavalla laskulla.",
           "Laitoin laskutukselle selvityspyynnön, vastaus tulee viiden arkipäivän sisällä."),
    "en": ("I can see the double charge, I'll credit it on your next invoice.", "Let me check the invoice breakdown.",
           "Sorry about the mistake! A credit of {amount} will show on your next bill.",
           "I've sent a request to our billing team, you'll hear back within five working days."),
}
TOPIC_LABEL["billing"] = {"fi": ("laskutus", "laskut ja maksut"), "en": ("billing", "invoices and payments"),
                          "sv": ("fakturering",)}

# === theme: connection =======================================================================
CUSTOMER["connection"] = {
    "fi": (
        "Nettiyhteys katkeilee {usein}, ei toimi yhtään.",
        "{netti} on ollut tosi hidas {kesto}, nopeus välillä alle {mbit} Mbit/s.",
        "Maksan {paketti} liittymästä mutta saan murto-osan siitä.",
        "Koko talosta on netti poikki {kaupunki_ine}, milloin korjaantuu?",
        "Mun {netti} ei toimi, {laite} vilkkuu punaisena.",
        "Etätyöt ei onnistu kun yhteys pätkii koko ajan.",
        "{netin} kanssa on ollut ongelmia {kesto}, Teams-palaverit katkeaa.",
        "Häiriötiedotteessa ei lue mitään mutta meillä ei ole nettiä.",
        "Illalla nopeus romahtaa ihan olemattomiin, päivällä menee ok.",
        "Käynnistin {laitteen} uudelleen kymmenen kertaa, ei apua.",
        "Onks teillä joku laaja vikatilanne? {netti} ihan jumissa.",
        "Mobiilidata ei toimi ollenkaan vaikka kenttää on täysi.",
        "Lapset ei pysty pelaamaan kun ping hyppii ja yhteys katkeaa.",
        "{netissa} on ollut katkoja {usein} jo {kesto}.",
        "wifi näkyy mutta netti ei toimi, {laite} on ihan uusi",
        "Yhteys katkesi {aika_sitten} eikä ole palannut.",
        "Speedtest näyttää {mbit} megaa, tilattu {paketti}. Ei mee ihan nappiin.",
        "Toimistolla netti ollut poikki koko aamun, tämä maksaa meille rahaa.",
    ),
    "en": (
        "My internet keeps dropping {how_often}.",
        "Broadband has been really slow for {duration}, sometimes under {mbit} Mbps.",
        "I'm paying for {speed_plan} and getting a fraction of it.",
        "Whole building has no internet in {city}, when will it be fixed?",
        "Internet is down and the {device} light is blinking red.",
        "Can't work from home because the connection cuts out all the time.",
        "Connection problems for {duration} now, my video calls keep freezing.",
        "Your outage map says everything is fine but we have no internet.",
        "Speed drops to almost nothing every evening, fine during the day.",
        "Restarted the {device} ten times, no luck.",
        "Is there a major outage? Nothing works.",
        "Mobile data not working at all even with full bars.",
        "Gaming is impossible, ping spikes and the line drops {how_often}.",
        "WiFi shows up but no internet, and the {device} is brand new.",
        "Slow internet again. Speedtest says {mbit} Mbps on a {speed_plan} plan.",
        "Our office connection has been down all morning, this costs us money.",
    ),
    "sv": (
        "Internet bryts hela tiden, fungerar inte alls.",
        "Bredbandet har varit väldigt långsamt i {stad} hela veckan.",
        "Vi har ingen uppkoppling sedan igår, när blir det fixat?",
        "Jag betalar för snabbt bredband men får nästan ingenting.",
    ),
}
NOTES["connection"] = {
    "fi": (
        "as. soitti, netti katkeilee {usein}", "hidas yhteys, mitattu {mbit} Mbit/s, tilattu {paketti}",
        "vikailmoitus, {laite} vilkkuu punaisena", "alueellinen häiriö {kaupunki_ine}, as. informoitu",
        "yhteys ollut poikki {kesto}", "linjamittaus tehty, vaimennus korkea", "as. etätöissä, katkot haittaavat",
        "iltaisin hidastuu, ruuhka-aika", "mobiilidata ei toimi, kenttä ok",
        "{laite} resetoitu puhelun aikana, ei apua",
        "katkoja {kesto}, as. haluaa hyvityksen", "yritysas. toimisto ilman nettiä",
    ),
    "en": (
        "cust reports connection dropping {how_often}", "slow speed {mbit} Mbps on {speed_plan}",
        "no internet for {duration}",
        "area outage in {city}, cust informed", "line test done, high attenuation", "{device} reset on call, no help",
        "mobile data not working", "evening slowdowns, congestion suspected",
    ),
}
AGENT_REPLIES["connection"] = {
    "fi": ("Teen linjamittauksen, hetki.", "Alueellanne on tällä hetkellä häiriö, korjausarvio on tänään klo 18.",
           "Kokeillaanko käynnistää reititin uudelleen? Jos ei auta, varaan asentajan.",
           "Näen yhteydessä katkoja, teen vikailmoituksen tekniselle tuelle."),
    "en": ("Let me run a line test.", "There's an ongoing outage in your area, estimated fix by 6 pm today.",
           "Could you try restarting the router? If that doesn't help I'll book a technician.",
           "I can see drops on your line, I'll open a fault ticket."),
}
TOPIC_LABEL["connection"] = {"fi": ("nettiyhteys", "vikailmoitus"), "en": ("internet connection", "fault report"),
                             "sv": ("internetanslutning",)}

# === theme: app_login (emerging after the app update) ===================================
CUSTOMER["app_login"] = {
    "fi": (
        "{app} kaatuu heti kun sen avaa, päivityksen jälkeen.",
        "Kirjautuminen ei onnistu päivityksen jälkeen, tulee vaan '{virhe}'.",
        "Päivitin {apin} versioon {version} ja nyt en pääse kirjautumaan ollenkaan.",
        "{app} ei toimi {luurilla}, kaatuu kirjautumisessa.",
        "En pääse {appiin} sisään, pankkitunnistus pyörii ja sitten kaatuu.",
        "Uusin päivitys rikkoi koko {apin}. Ei aukea.",
        "{apissa} tulee virheilmoitus '{virhe}' joka kerta kun yritän kirjautua.",
        "Mä en pääse näkemään mun laskuja kun {app} kaatuu päivityksen jälkeen.",
        "Poistin ja asensin {apin} uudelleen, silti kirjautuminen ei onnistu.",
        "Mitä te teitte sille sovellukselle? Kirjautuminen ei toimi enää.",
        "{app} jumittaa latausruutuun ja sulkeutuu itsestään.",
        "Version {version} jälkeen {app} kaatuu aina kun avaan laskut.",
        "Tunnistautuminen ei mene läpi {apissa}, vika alkoi päivityksestä.",
        "appi kaatuu kaatuu kaatuu. korjatkaa se päivitys",
        "Kirjautumisen jälkeen ruutu jää valkoiseksi {luurissa}.",
        "Koko perheen puhelimissa sama juttu: {app} ei aukea päivityksen jälkeen.",
    ),
    "en": (
        "The app crashes right after the update.", "Can't log in after the update, it just says '{error}'.",
        "Updated to version {version} and now I can't log in at all.",
        "{app} keeps crashing on my {phone_dev} since the update.",
        "Login fails every time, bank ID spins and then the app closes.", "The latest update broke {app} completely.",
        "I get '{error}' every time I try to sign in.",
        "Can't see my invoices because the app crashes after the update.",
        "Reinstalled {app} twice, still can't log in.", "What did you do to the app? Login doesn't work anymore.",
        "App freezes on the loading screen and closes itself.",
        "Since {version} the app crashes whenever I open billing.",
        "Authentication never completes in {app}, started with the update.",
        "app crashes. crashes again. fix the update please",
        "After login the screen just goes white on my {phone_dev}.",
    ),
    "sv": (
        "Appen kraschar efter uppdateringen.", "Jag kan inte logga in i appen efter senaste uppdateringen.",
        "Sedan version {version} går det inte att logga in.", "Appen stängs direkt när jag öppnar den.",
    ),
}
NOTES["app_login"] = {
    "fi": (
        "as. ei pääse kirjautumaan sovellukseen päivityksen jälkeen", "sovellus kaatuu, versio {version}",
        "Oma Valo -sovellus kaatuu kirjautumisessa, {luuri}", "kirjautumisvirhe '{virhe}' sovelluksessa",
        "as. asentanut sovelluksen uudelleen, ei apua", "sovellusvika, ohjattu käyttämään selainta",
        "appi kaatuu päivityksen jälkeen, tiketti", "tunnistautuminen ei onnistu sovelluksessa",
        "sovellus jumittaa latausruutuun", "as. ei näe laskuja sovelluksesta, kaatuu",
        "päivitys {version} rikkonut kirjautumisen", "kirjautuminen sovellukseen epäonnistuu, pankkitunnistus",
    ),
    "en": (
        "cust can't log in to app after update", "app crashes on {version}", "login error '{error}' in app",
        "reinstalled app, still failing", "app stuck on loading screen", "app crash after update, ticket to dev",
        "cust told to use web browser instead of app",
    ),
}
AGENT_REPLIES["app_login"] = {
    "fi": ("Meillä on tiedossa sovelluksen kirjautumisongelma päivityksen {version} jälkeen, korjausta tehdään.",
           "Voit kirjautua toistaiseksi selaimella osoitteessa oma.valo.example.",
           "Kokeiletko tyhjentää sovelluksen välimuistin? Jos ei auta, kirjaan vian.",
           "Pahoittelut, vika on tiedossa ja kehittäjät työstävät korjausta."),
    "en": ("We're aware of a login issue after the {version} update and a fix is in progress.",
           "For now you can log in with a browser at my.valo.example.",
           "Could you try clearing the app cache? If that doesn't help, I'll report the bug.",
           "Sorry, it's a known issue and our developers are working on a fix."),
}
TOPIC_LABEL["app_login"] = {"fi": ("Oma Valo -sovellus", "kirjautuminen"), "en": ("the My Valo app", "logging in"),
                            "sv": ("appen",)}

# === theme: einvoice (latent, small and flat) ================================================
CUSTOMER["einvoice"] = {
    "fi": (
        "Miten saan e-laskun käyttöön? En löydä sitä verkkopankista.",
        "Tilasin e-laskun mutta lasku tuli silti paperilla ja siitä peritään paperilaskumaksu.",
        "E-laskun tilaus ei onnistu, pankki sanoo ettei laskuttajaa löydy.",
        "Mikä on teidän e-laskuosoite? Yrityksen verkkolaskutus ei toimi.",
        "Onko e-lasku ja sähköpostilasku sama asia? Vähän epäselvää.",
        "Tein e-laskusopimuksen {aika_sitten}, mutta ensimmäinen e-lasku ei tullut.",
        "Verkkopankissa e-laskutarjous näyttää vanhaa asiakasnumeroa.",
        "Haluaisin suoramaksun tai e-laskun, kumpi on parempi ja miten tilataan?",
        "E-lasku hävisi pankista kun vaihdoin pankkia, pitääkö tilata uudestaan?",
        "Miksi joudun maksamaan paperilaskusta kun olen yrittänyt tilata e-laskun kolme kertaa?",
        "en ymmärrä mistä se e-lasku tilataan, ohjeissa puhutaan viitteestä jota mulla ei ole",
        "Oma Valossa lukee että e-lasku on käytössä, mutta pankissa ei näy mitään.",
        "E-laskun vastaanottoilmoitus hylättiin, mitä tietoja siihen pitää laittaa?",
    ),
    "en": (
        "How do I set up e-invoicing? I can't find Valo in my online bank.",
        "I signed up for e-invoice but still got a paper bill with a paper invoice fee.",
        "E-invoice sign-up fails, my bank says the biller can't be found.",
        "What's your e-invoice address? Our company's e-invoicing isn't working.",
        "Is an e-invoice the same as an email invoice? Quite confusing.",
        "I made the e-invoice agreement {when} but the first e-invoice never arrived.",
        "The e-invoice offer in my bank shows my old customer number.",
        "Direct debit or e-invoice, which one should I choose and how do I order it?",
        "My e-invoice disappeared when I switched banks, do I need to sign up again?",
        "Why am I paying a paper bill fee when I've tried to order an e-invoice three times?",
        "don't understand where to order the e-invoice, the instructions mention a reference I don't have",
        "My Valo says e-invoice is active but nothing shows up in my bank.",
        "My e-invoice request was rejected, what details am I supposed to enter?",
    ),
    "sv": (
        "Hur beställer jag e-faktura? Jag hittar inte Valo i nätbanken.",
        "Jag beställde e-faktura men fick ändå en pappersfaktura med avgift.",
        "Är e-faktura och faktura via e-post samma sak?",
    ),
}
NOTES["einvoice"] = {
    "fi": (
        "as. kysyi e-laskun tilaamisesta", "e-lasku ei näy pankissa, neuvottu",
        "paperilaskumaksu vaikka e-lasku tilattu",
        "e-laskun vastaanottoilmoitus hylätty, ohjeistettu", "yritysas. kysyi verkkolaskuosoitetta",
        "e-lasku vs. sähköpostilasku, selitetty ero", "e-lasku katosi pankinvaihdossa",
        "e-laskutarjouksessa vanha asiakasnro",
        "as. ei löydä e-laskua verkkopankista", "e-laskusopimus tehty mutta lasku tuli paperina",
    ),
    "en": (
        "cust asked how to order e-invoice", "e-invoice not visible in bank, advised",
        "paper fee charged though e-invoice ordered",
        "e-invoice request rejected, instructions given", "company asked for e-invoice address",
        "explained e-invoice vs email invoice",
    ),
}
AGENT_REPLIES["einvoice"] = {
    "fi": ("E-lasku tilataan omassa verkkopankissasi: hae laskuttajaksi Valo ja käytä laskulla olevaa viitettä.",
           "Poistin paperilaskumaksun ja tarkistin että e-laskusopimus on voimassa.",
           "Ensimmäinen e-lasku tulee yleensä seuraavalla laskutuskaudella."),
    "en": ("You order the e-invoice in your online bank: search for Valo and use the reference on your bill.",
           "I've removed the paper invoice fee and checked your e-invoice agreement is active.",
           "The first e-invoice usually arrives in the next billing period."),
}
TOPIC_LABEL["einvoice"] = {"fi": ("e-lasku", "laskutustapa"), "en": ("e-invoice", "billing method"),
                           "sv": ("e-faktura",)}

# === theme: delivery (fading) ================================================================
CUSTOMER["delivery"] = {
    "fi": (
        "Tilasin kuituliittymän ja {laite} ei ole vieläkään tullut.",
        "Toimitus on myöhässä jo {kesto}, missä mun {laite} on?",
        "Seurantakoodi ei päivity ollenkaan, {kuljetus} ei tiedä paketista mitään.",
        "Liittymä aktivoitiin {aika_sitten} mutta {laitetta} ei ole toimitettu, eli maksan tyhjästä.",
        "Tilauksen {order} toimitusarvio oli {pvm}, mitään ei ole kuulunut.",
        "Teillä luki että toimitus 1-3 arkipäivässä. Nyt on mennyt {kesto}.",
        "{laite} toimitettiin väärään osoitteeseen.",
        "Sain tekstarin että paketti on noudettavissa, mutta pakettiautomaatissa ei ollut mitään.",
        "Muutin {aika_sitten} ja uusi {laite} piti tulla muuttopäiväksi. Ei tullut.",
        "Tilausvahvistus tuli mutta toimituksesta ei mitään tietoa.",
        "Milloin se {laite} oikein tulee? Toimitus on myöhässä.",
        "Paketti palautui teille koska kukaan ei ilmoittanut noutopisteestä.",
        "Toimitus myöhässä ja liittymää laskutetaan jo täysimääräisesti.",
        "Yrityksen toimipisteen laitteet piti toimittaa viime viikolla, asennus siirtyy koko ajan.",
        "missä mun paketti",
    ),
    "en": (
        "I ordered fibre and the {device} still hasn't arrived.",
        "Delivery is late by {duration} now, where is my {device}?",
        "Tracking code doesn't update, {carrier} knows nothing about the parcel.",
        "My subscription started {when} but the {device} hasn't been delivered, so I'm paying for nothing.",
        "Order {order} was supposed to arrive on {date}, nothing yet.",
        "Your site said delivery in 1-3 working days. It's been {duration}.",
        "The {device} was delivered to the wrong address.",
        "Got a text that the parcel is ready for pickup but the parcel locker was empty.",
        "I moved {when} and the new {device} should have arrived on moving day. It didn't.",
        "Got an order confirmation but no info about delivery at all.",
        "When is the router actually coming? Delivery is late.",
        "The parcel went back to you because nobody told me about the pickup point.",
        "Delivery late and you're already charging the full monthly fee.",
        "where is my router",
    ),
    "sv": (
        "Jag beställde fiber men {apparat} har fortfarande inte kommit.",
        "Leveransen är försenad, var är {apparat}?",
        "Spårningskoden uppdateras inte alls.",
        "Paketet skickades till fel adress.",
    ),
}
NOTES["delivery"] = {
    "fi": (
        "as. kysyi {laitteen} toimituksesta", "toimitus myöhässä, tilaus {order}",
        "seuranta ei päivity, selvitetty {kuljetus}",
        "laite toimitettu väärään osoitteeseen", "paketti palautunut, uusi lähetys tehty",
        "toimitusarvio {pvm}, as. informoitu",
        "liittymä aktiivinen mutta laite puuttuu, laskutus?", "muuttotilaus, {laite} ei tullut muuttopäiväksi",
        "varastosaldo loppu, toimitus viivästyy", "as. kysyi toimitusaikaa, {kesto} myöhässä",
        "pakettiautomaatti tyhjä, reklamaatio kuljetusliikkeelle",
    ),
    "en": (
        "cust asking about {device} delivery", "delivery late, order {order}",
        "tracking not updating, checked with {carrier}",
        "router delivered to wrong address", "parcel returned, resent", "backorder, delivery delayed",
        "sub active but no device, billing question",
    ),
}
AGENT_REPLIES["delivery"] = {
    "fi": ("Laitteiden toimituksissa on valitettavasti viivettä, lähetyksesi lähtee tällä viikolla.",
           "Tarkistin tilauksen {order}: paketti on matkalla ja perillä 2-3 arkipäivässä.",
           "Pahoittelut viivästyksestä! Hyvitän kuukausimaksun siltä ajalta kun laite puuttui."),
    "en": ("Unfortunately device deliveries are delayed, your parcel ships this week.",
           "I checked order {order}: the parcel is on its way and should arrive in 2-3 working days.",
           "Sorry for the delay! I'll credit the monthly fee for the time the device was missing."),
}
TOPIC_LABEL["delivery"] = {"fi": ("tilauksen toimitus", "laitetoimitus"), "en": ("order delivery", "device delivery"),
                           "sv": ("leverans",)}

# === theme: praise (flat, moderate) ==========================================================
CUSTOMER["praise"] = {
    "fi": (
        "Kiitos {nimi}lle tosi hyvästä palvelusta!",
        "Asiakaspalvelija {nimi} hoiti asian nopeasti ja ystävällisesti.",
        "Hyvä palvelu {kauppa}, myyjä jaksoi selittää kaiken rauhassa.",
        "Nopea ja asiallinen palvelu, kiitos!",
        "Netti on toiminut moitteetta {pitkaan}, hyvä hinta-laatusuhde.",
        "Asentaja oli ajoissa ja siisti, kaikki toimi heti.",
        "Chatissa sain apua parissa minuutissa, kiitos {nimi}.",
        "Olen ollut Valon asiakas kymmenen vuotta ja aina tyytyväinen.",
        "Kiitos että hyvitys hoitui näin helposti.",
        "Uusi kuituliittymä on tosi nopea, kiitos!",
        "Mukava ja osaava palvelu puhelimessa, asia ratkesi kerralla.",
        "Tosi hyvää palvelua {kauppa}, suosittelen.",
        "Kiitos kun soititte takaisin niin kuin lupasitte!",
        "Valon palvelu on parantunut paljon, hyvä!",
        "Kaikki toimi ja asia hoitui, iso kiitos {nimi}!",
        "Helppo vaihtaa liittymää Oma Valossa, kiitos selkeistä ohjeista.",
    ),
    "en": (
        "Thanks to {name} for the great service!",
        "{name} in customer service sorted my issue quickly and kindly.",
        "Great service at {store}, the staff explained everything patiently.",
        "Fast and friendly support, thank you!",
        "The internet has worked flawlessly {for_long}, good value.",
        "The technician was on time and tidy, everything worked straight away.",
        "Got help in the chat within minutes, thanks {name}.",
        "Been with Valo for ten years and always happy.",
        "Thanks for handling the refund so smoothly.",
        "The new fibre connection is really fast, thanks!",
        "Friendly and competent phone support, solved on the first call.",
        "Really good service at {store}, would recommend.",
        "Thank you for calling back like you promised!",
        "Valo's service has improved a lot, well done.",
        "Everything works now, huge thanks {name}!",
        "Switching plans in My Valo was easy, clear instructions.",
    ),
    "sv": (
        "Tack till {namn} för jättebra service!", "Snabb och vänlig kundtjänst, tack!",
        "Bra service i butiken i {stad}.", "Fibern fungerar utmärkt, tack!",
    ),
}
NOTES["praise"] = {
    "fi": (
        "as. soitti kiittämään {nimi}a", "positiivinen palaute asentajalle", "as. kiitteli nopeasta hyvityksestä",
        "kiitos myymälän palvelusta, {kauppa}", "as. tyytyväinen uuteen liittymään", "palaute: hyvä palvelu chatissa",
        "pitkäaikainen as., kiitteli palvelua", "as. halusi antaa kiitosta takaisinsoitosta",
        "kiitos nopeasta vikakorjauksesta", "as. tyytyväinen, ei muuta asiaa",
    ),
    "en": (
        "cust called to thank {name}", "positive feedback for technician", "cust happy with quick refund",
        "praise for store staff at {store}", "cust satisfied with new plan", "thanks for callback",
    ),
}
AGENT_REPLIES["praise"] = {
    "fi": ("Kiitos paljon palautteesta, välitän sen eteenpäin!", "Ihana kuulla, kiitos kun kerroit!"),
    "en": ("Thank you so much for the feedback, I'll pass it on!", "Great to hear, thanks for letting us know!"),
}
TOPIC_LABEL["praise"] = {"fi": ("palaute",), "en": ("feedback",), "sv": ("feedback",)}

# === theme: other (background requests, no signal) ===========================================
CUSTOMER["other"] = {
    "fi": (
        "Miten vaihdan osoitteen kun muutan ensi kuussa?",
        "Haluaisin siirtää numeroni toiselta operaattorilta Valolle, miten se onnistuu?",
        "Toimiiko mun liittymä {maa_ine}? Lähden lomalle ensi viikolla.",
        "Onko {kauppa} auki sunnuntaina?",
        "Haluaisin vaihtaa nopeampaan liittymään, mitä vaihtoehtoja on?",
        "Miten irtisanon mobiililiittymän? Lapsi muuttaa pois kotoa.",
        "Saako liittymään lisättyä toisen SIM-kortin kelloa varten?",
        "Paljonko maksaa eSIM ja miten se aktivoidaan?",
        "Voiko laskun eräpäivää siirtää kuun loppuun?",
        "Tarvitsen uuden SIM-kortin, vanha hajosi.",
        "Voinko siirtää liittymän puolisolle?",
        "Mistä näen paljonko dataa on käytetty tässä kuussa?",
        "Onko teillä opiskelijahintoja?",
        "PUK-koodi hukassa, mistä sen saa?",
    ),
    "en": (
        "How do I change my address? I'm moving next month.",
        "I'd like to port my number from another operator to Valo, how does it work?",
        "Does my plan work in {country}? Going on holiday next week.",
        "Is {store} open on Sunday?",
        "I'd like to upgrade to a faster plan, what are the options?",
        "How do I cancel a mobile subscription? My kid is moving out.",
        "Can I add a second SIM for my smartwatch?",
        "How much is an eSIM and how do I activate it?",
        "Can I move my invoice due date to the end of the month?",
        "I need a new SIM card, the old one broke.",
        "Can I transfer my subscription to my spouse?",
        "Where can I see how much data I've used this month?",
        "Do you have student prices?",
        "Lost my PUK code, where do I find it?",
    ),
    "sv": (
        "Hur byter jag adress? Jag flyttar nästa månad.", "Fungerar mitt abonnemang utomlands?",
        "Jag behöver ett nytt SIM-kort.", "Är butiken i {stad} öppen på söndag?",
    ),
}
NOTES["other"] = {
    "fi": (
        "osoitteenmuutos tehty", "numeronsiirto toiselta operaattorilta, ohjeistettu",
        "as. kysyi roamingista, {maa_ine}",
        "myymälän aukioloajat", "liittymän nopeuden nosto {paketti}", "mobiililiittymän irtisanominen",
        "lisä-SIM kelloon tilattu",
        "eSIM aktivoitu", "eräpäivän siirto", "uusi SIM lähetetty", "omistajanvaihdos, lomake lähetetty",
        "PUK-koodi annettu",
    ),
    "en": (
        "address change done", "number porting, instructions given", "roaming question, {country}",
        "store opening hours",
        "plan upgrade to {speed_plan}", "mobile sub cancelled", "eSIM activated", "new SIM sent", "PUK code given",
    ),
}
AGENT_REPLIES["other"] = {
    "fi": ("Onnistuu! Teen muutoksen nyt, se näkyy Oma Valossa huomenna.", "Lähetän sinulle ohjeet tekstiviestillä.",
           "Tarkistan vaihtoehdot, hetki vain."),
    "en": ("Sure! I'll make the change now, it will show in My Valo tomorrow.",
           "I'll send you the instructions by SMS.",
           "Let me check the options for you."),
}
TOPIC_LABEL["other"] = {"fi": ("liittymän muutokset", "muu asia"), "en": ("changes to your plan", "something else"),
                        "sv": ("ändringar i abonnemanget",)}

# === details: optional extra sentences per theme (more variety, more context) =================
DETAILS = {
    "billing": {
        "fi": ("Asiakasnumeroni löytyy laskulta.", "Lasku on eräpäivältään {pvm}.",
               "Maksan aina e-laskulla ajallaan.",
               "Summa {amount} on ihan liikaa.", "Tää on jo toinen virheellinen lasku putkeen.",
               "Olen ollut asiakkaana yli kymmenen vuotta.", "Liittymä on mobiili + kotinetti -paketti."),
        "en": ("The due date is {date}.", "I always pay on time.", "{amount} is way too much.",
               "This is the second wrong bill in a row.", "I've been a customer for over ten years.",
               "It's the mobile + home internet bundle."),
    },
    "connection": {
        "fi": ("Asun {kaupunki_ine}.", "Vika alkoi {aika_sitten}.", "Valot {laitteessa} palaa normaalisti.",
               "Kokeilin myös piuhalla, sama juttu.", "Naapurilla on sama ongelma.", "Tilattu nopeus on {paketti}.",
               "Teen etätöitä ja tarvitsen toimivan yhteyden."),
        "en": ("I live in {city}.", "It started {when}.", "Tried with a cable too, same thing.",
               "My neighbour has the same issue.", "The plan is {speed_plan}.",
               "I work from home and need this to work."),
    },
    "app_login": {
        "fi": ("Puhelin on {luuri}.", "Versio on {version}.", "Ennen päivitystä kaikki toimi.",
               "Sama juttu wifissä ja mobiilidatalla.", "Tarvitsisin laskut sovelluksesta.", "Virheteksti: {virhe}."),
        "en": ("Phone is a {phone_dev}.", "Version {version}.", "Everything worked before the update.",
               "Same on WiFi and mobile data.", "I need to see my bills in the app.", "Error text: {error}."),
    },
    "einvoice": {
        "fi": ("Pankkina on OP.", "Pankkina on Nordea.", "Yritin {aika_sitten}.", "Paperilaskumaksu on {amount}.",
               "Ohjeet sivuilla on epäselvät."),
        "en": ("My bank is Nordea.", "My bank is OP.", "I tried {when}.", "The paper invoice fee is {amount}.",
               "The instructions on your site are unclear."),
    },
    "delivery": {
        "fi": ("Tilausnumero on {order}.", "Tilasin {aika_sitten}.", "Kuljetusyhtiö on {kuljetus}.",
               "Muutto on {pvm}.", "Olen kotona iltaisin."),
        "en": ("Order number {order}.", "I ordered {when}.", "The carrier is {carrier}.", "We move on {date}.",
               "I'm home in the evenings."),
    },
    "praise": {
        "fi": ("Asia koski laskua.", "Kävin {kauppa}.", "Asia hoitui {aika_sitten}.", "Kaikki meni hyvin.",
               "Tästä hyvä mieli."),
        "en": ("It was about my bill.", "I visited {store}.", "It was sorted {when}.", "Everything went smoothly.",
               "Made my day."),
    },
    "other": {
        "fi": ("Asun {kaupunki_ine}.", "Asiakasnumero on laskulla.", "Kysyin jo {kauppa}, eivät tienneet.",
               "Kiitos vastauksesta etukäteen.", "Onko tästä jotain ohjetta netissä?"),
        "en": ("I live in {city}.", "My customer number is on the bill.", "Asked at {store}, they didn't know.",
               "Is there a guide for this online?"),
    },
}

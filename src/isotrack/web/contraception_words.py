"""Contraceptive methods in the patient's words (the catalogues translate them)."""

from __future__ import annotations

from isotrack.domain.events import ContraceptionMethodCode as M
from isotrack.web.i18n import N_

METHOD_WORDS: dict[M, str] = {
    M.TUBAL_STERILISATION: N_("Tubes tied or blocked (tubal sterilisation)"),
    M.PARTNER_VASECTOMY: N_("Partner's vasectomy"),
    M.IUD: N_("Copper IUD (coil)"),
    M.HORMONAL_IUD: N_("Hormonal IUD (coil)"),
    M.IMPLANT: N_("Implant in the arm"),
    M.COMBINED_ORAL_CONTRACEPTIVE: N_("Combined pill"),
    M.CONTRACEPTIVE_PATCH: N_("Contraceptive patch"),
    M.VAGINAL_RING: N_("Vaginal ring"),
    M.INJECTABLE: N_("Contraceptive injection"),
    M.PROGESTIN_ONLY_PILL: N_("Progestogen-only pill (mini-pill)"),
    M.MALE_CONDOM: N_("Male condom"),
    M.FEMALE_CONDOM: N_("Female condom"),
    M.DIAPHRAGM_WITH_SPERMICIDE: N_("Diaphragm with spermicide"),
    M.CERVICAL_CAP_WITH_SPERMICIDE: N_("Cervical cap with spermicide"),
    M.SPONGE_WITH_SPERMICIDE: N_("Sponge with spermicide"),
    M.SPERMICIDE_ALONE: N_("Spermicide alone"),
    M.WITHDRAWAL: N_("Withdrawal (pulling out)"),
    M.FERTILITY_AWARENESS: N_("Fertility awareness (counting days)"),
    M.EMERGENCY_CONTRACEPTION: N_("Emergency contraception (morning-after pill)"),
}

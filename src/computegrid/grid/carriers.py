"""Carrier registry of the grid model: the one list of carrier names, groups, colours and labels.

Every module that selects components by carrier (results, adequacy, signals, fleet scaling,
co-planning, reports) takes the names and groups from here.
"""

from __future__ import annotations

#: Generator and storage carriers of the China model, in the order they are reported.
GENERATOR_CARRIERS = ("coal", "gas", "nuclear", "hydro", "onwind", "offwind", "solar")
STORAGE_CARRIERS = ("PHS", "battery")
#: Variable renewables: their unused availability (``p_nom x p_max_pu - p``) is curtailment.
VRE_CARRIERS = ("onwind", "offwind", "solar")
#: Generators that stand for unserved energy, priced at the value of lost load.
LOAD_SHEDDING_CARRIER = "load-shedding"
#: Inter-provincial corridors (links) and buses.
CORRIDOR_CARRIER = "AC"
#: Data-centre site consumers of the co-planning model (negative dispatch = facility draw).
DC_CARRIER = "ai-data-centre"
#: Carriers that are neither generation nor storage: excluded from dispatch and intensity figures.
NON_GENERATION_CARRIERS = (LOAD_SHEDDING_CARRIER, DC_CARRIER)

CARRIER_COLOURS = {"coal": "#4d4d4d", "gas": "#e05b09", "nuclear": "#c84cbd", "hydro": "#2980b9",
                   "onwind": "#2ecc71", "offwind": "#16a085", "solar": "#f1c40f", "PHS": "#6c5ce7",
                   "battery": "#fd79a8", LOAD_SHEDDING_CARRIER: "#c0392b", CORRIDOR_CARRIER: "#7f8c8d"}
NICE_NAMES = {"coal": "Coal", "gas": "Gas", "nuclear": "Nuclear", "hydro": "Hydro (conventional)",
              "onwind": "Onshore wind", "offwind": "Offshore wind", "solar": "Solar PV",
              "PHS": "Pumped hydro storage", "battery": "Battery", LOAD_SHEDDING_CARRIER: "Load shedding",
              CORRIDOR_CARRIER: "Inter-provincial corridor"}

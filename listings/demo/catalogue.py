"""The demo catalogue: categories and subcategories written for Australian customers.

Plain Python data, so it can be read, reviewed and tested without a database. Slugs share one
URL space (``/<slug>/``) across categories and subcategories, and none may be a reserved slug.
"""

from dataclasses import dataclass, field

from django.db import transaction

from listings.models import Category, Subcategory

Schema = list[dict[str, object]]


def choice(name: str, label: str, choices: list[str], *, required: bool = False) -> dict:
    return {
        "name": name,
        "label": label,
        "type": "choice",
        "choices": choices,
        "required": required,
    }


def number(name: str, label: str, *, required: bool = False) -> dict:
    return {"name": name, "label": label, "type": "number", "required": required}


def boolean(name: str, label: str) -> dict:
    return {"name": name, "label": label, "type": "boolean", "required": False}


def text(name: str, label: str, *, required: bool = False) -> dict:
    return {"name": name, "label": label, "type": "text", "required": required}


@dataclass(frozen=True)
class SubcategoryData:
    name: str
    slug: str
    description: str
    schema: Schema = field(default_factory=list)


@dataclass(frozen=True)
class CategoryData:
    name: str
    slug: str
    description: str
    subcategories: tuple[SubcategoryData, ...]
    # How common providers of this trade are among the demo providers (relative weight).
    provider_weight: int = 5
    # Whether providers of this trade hold a trade licence (electrical, plumbing, building...).
    licensed: bool = False


# Choice lists several subcategories share.
PROPERTY_SIZES = ["Unit or apartment", "1-2 bedroom house", "3-4 bedroom house", "5+ bedroom house"]
STOREYS = ["Single storey", "Double storey", "Three storeys or more"]
MOVE_SIZES = ["Studio or 1 bedroom", "2 bedrooms", "3 bedrooms", "4 bedrooms", "5+ bedrooms"]
FREQUENCIES = ["One-off", "Weekly", "Fortnightly", "Monthly"]
ROOF_TYPES = ["Terracotta tile", "Concrete tile", "Colorbond / metal", "Slate"]
STATES = ["ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"]

S = SubcategoryData

CATEGORIES: tuple[CategoryData, ...] = (
    CategoryData(
        "Electricians",
        "electricians",
        "Licensed electricians for wiring, lighting, switchboards, safety switches and "
        "appliance installs.",
        (
            S(
                "Emergency electricians",
                "emergency-electricians",
                "A licensed sparky on the way fast when the power is out, a safety switch keeps "
                "tripping or something smells like it's burning.",
                [
                    choice(
                        "issue",
                        "What's happening?",
                        [
                            "No power",
                            "Safety switch keeps tripping",
                            "Sparking or burning smell",
                            "Storm damage",
                            "Something else",
                        ],
                        required=True,
                    ),
                    boolean("whole_house_out", "Is the whole house without power?"),
                ],
            ),
            S(
                "Lighting installation",
                "lighting-installation",
                "LED downlights, pendants, sensor lights and garden lighting supplied and "
                "installed.",
                [
                    number("number_of_lights", "Number of lights", required=True),
                    choice(
                        "light_type",
                        "Type of lighting",
                        [
                            "LED downlights",
                            "Pendants",
                            "Outdoor or garden",
                            "Sensor lights",
                            "Strip lighting",
                        ],
                    ),
                ],
            ),
            S(
                "Switchboard upgrades",
                "switchboard-upgrades",
                "Replace old ceramic fuses with a modern switchboard, safety switches and circuit "
                "breakers.",
                [
                    choice(
                        "property_type",
                        "Property type",
                        ["House", "Unit", "Townhouse", "Shop or office"],
                        required=True,
                    ),
                    boolean("has_ceramic_fuses", "Still has old ceramic fuses"),
                ],
            ),
            S(
                "Power points & wiring",
                "power-points-wiring",
                "New power points, USB outlets, rewiring and extra circuits for kitchens, "
                "garages and sheds.",
                [
                    number("number_of_points", "Number of power points", required=True),
                    choice("location", "Where", ["Indoors", "Outdoors", "Both"]),
                ],
            ),
            S(
                "Ceiling fan installation",
                "ceiling-fan-installation",
                "Ceiling fans installed or replaced, with or without lights, on new or existing "
                "wiring.",
                [
                    number("number_of_fans", "Number of fans", required=True),
                    boolean("existing_wiring", "There is existing wiring at each spot"),
                ],
            ),
            S(
                "EV charger installation",
                "ev-charger-installation",
                "Home electric vehicle chargers installed to Australian standards, single or "
                "three phase.",
                [
                    choice(
                        "charger_type",
                        "Charger",
                        [
                            "7 kW single phase",
                            "11 kW three phase",
                            "22 kW three phase",
                            "Not sure yet",
                        ],
                        required=True,
                    ),
                    boolean("three_phase_supply", "The property has three-phase power"),
                    boolean("charger_supplied", "I already have the charger"),
                ],
            ),
            S(
                "Smoke alarm installation",
                "smoke-alarm-installation",
                "Hardwired and 10-year lithium smoke alarms installed to meet your state's rules "
                "for rentals and sales.",
                [
                    number("number_of_alarms", "Number of alarms", required=True),
                    boolean("interconnected", "Interconnected alarms"),
                ],
            ),
        ),
        provider_weight=12,
        licensed=True,
    ),
    CategoryData(
        "Plumbers",
        "plumbers",
        "Licensed plumbers and gasfitters for leaks, blocked drains, hot water and bathroom "
        "plumbing.",
        (
            S(
                "Emergency plumbers",
                "emergency-plumbers",
                "Burst pipes, overflowing toilets and gas leaks sorted day or night by a licensed "
                "plumber.",
                [
                    choice(
                        "issue",
                        "What's happening?",
                        [
                            "Burst pipe",
                            "Blocked toilet",
                            "No hot water",
                            "Gas leak",
                            "Flooding",
                            "Something else",
                        ],
                        required=True,
                    ),
                    boolean("water_turned_off", "I've turned the water off at the meter"),
                ],
            ),
            S(
                "Blocked drains",
                "blocked-drains",
                "Sinks, toilets, showers and stormwater drains cleared with jetters and CCTV "
                "drain cameras.",
                [
                    choice(
                        "drain_location",
                        "Which drain",
                        [
                            "Kitchen sink",
                            "Toilet",
                            "Shower or bath",
                            "Outdoor or stormwater",
                            "Sewer line",
                        ],
                        required=True,
                    ),
                    boolean("tree_roots_suspected", "Tree roots may be the cause"),
                ],
            ),
            S(
                "Hot water systems",
                "hot-water-systems",
                "Repairs, replacements and new installs of electric, gas, heat pump and solar hot "
                "water systems.",
                [
                    choice(
                        "system_type",
                        "System type",
                        [
                            "Electric storage",
                            "Gas storage",
                            "Gas continuous flow",
                            "Heat pump",
                            "Solar",
                        ],
                        required=True,
                    ),
                    choice("job", "Job", ["Repair", "Replace", "New install"]),
                    number("tank_size_litres", "Tank size (litres)"),
                ],
            ),
            S(
                "Leaking taps & toilets",
                "leaking-taps-toilets",
                "Dripping taps, running cisterns and leaking toilets fixed before the water bill "
                "arrives.",
                [number("number_of_fixtures", "Number of taps or toilets", required=True)],
            ),
            S(
                "Gas fitting",
                "gas-fitting",
                "Licensed gasfitters for cooktops, ovens, heaters, BBQ points and gas leak checks.",
                [
                    choice(
                        "appliance",
                        "What needs doing",
                        [
                            "Cooktop",
                            "Oven",
                            "Gas heater",
                            "Hot water",
                            "BBQ point",
                            "Gas leak check",
                        ],
                        required=True,
                    ),
                    choice("gas_type", "Gas type", ["Natural gas", "LPG bottles", "Not sure"]),
                ],
            ),
            S(
                "Bathroom & kitchen plumbing",
                "bathroom-kitchen-plumbing",
                "New taps, sinks, vanities, dishwashers and toilets connected by a licensed "
                "plumber.",
                [
                    choice("room", "Room", ["Bathroom", "Kitchen", "Laundry"], required=True),
                    text("fixtures", "What's being installed"),
                ],
            ),
            S(
                "Rainwater tanks",
                "rainwater-tanks",
                "Rainwater tanks and pumps installed and plumbed in for gardens, toilets and "
                "laundries.",
                [
                    number("tank_size_litres", "Tank size (litres)", required=True),
                    boolean("pump_required", "A pump is needed"),
                ],
            ),
        ),
        provider_weight=12,
        licensed=True,
    ),
    CategoryData(
        "Pest control",
        "pest-control",
        "Licensed pest controllers for termites, cockroaches, spiders, rodents and possums.",
        (
            S(
                "General pest control",
                "general-pest-control",
                "Inside and outside treatments for cockroaches, spiders, ants and silverfish, "
                "safe for kids and pets once dry.",
                [
                    choice(
                        "pest_type",
                        "Pest type",
                        [
                            "Cockroaches",
                            "Spiders",
                            "Ants",
                            "Silverfish",
                            "Fleas",
                            "A bit of everything",
                        ],
                        required=True,
                    ),
                    choice("property_size", "Property size", PROPERTY_SIZES, required=True),
                ],
            ),
            S(
                "Termite inspections & treatment",
                "termite-control",
                "Pre-purchase and annual termite inspections, chemical barriers and baiting "
                "systems.",
                [
                    choice(
                        "service",
                        "Service",
                        [
                            "Pre-purchase inspection",
                            "Annual inspection",
                            "Active termite treatment",
                            "Termite barrier",
                        ],
                        required=True,
                    ),
                    choice("property_size", "Property size", PROPERTY_SIZES),
                ],
            ),
            S(
                "Rodent control",
                "rodent-control",
                "Rats and mice removed from roofs, walls and sheds, with entry points sealed.",
                [
                    choice("pest_type", "Pest type", ["Rats", "Mice", "Not sure"], required=True),
                    choice(
                        "location", "Where", ["Roof cavity", "Walls", "Kitchen", "Garden or shed"]
                    ),
                ],
            ),
            S(
                "Possum removal",
                "possum-removal",
                "Humane possum relocation and roof proofing, done by the rules for a protected "
                "native animal.",
                [
                    choice(
                        "location",
                        "Where is it living?",
                        ["Roof cavity", "Walls", "Shed or garage"],
                        required=True,
                    ),
                    boolean("roof_proofing", "Also seal the roof against re-entry"),
                ],
            ),
            S(
                "Wasp & bee removal",
                "wasp-bee-removal",
                "European wasp nests destroyed and bee swarms relocated by a beekeeper where "
                "possible.",
                [
                    choice(
                        "insect",
                        "What is it?",
                        ["European wasps", "Paper wasps", "Bee swarm", "Established beehive"],
                        required=True,
                    ),
                    text("nest_location", "Where is the nest?"),
                ],
            ),
            S(
                "Bed bug treatment",
                "bed-bug-treatment",
                "Discreet bed bug inspections and treatments for homes, rentals and short stays.",
                [number("number_of_rooms", "Number of bedrooms affected", required=True)],
            ),
        ),
        provider_weight=6,
        licensed=True,
    ),
    CategoryData(
        "Cleaning",
        "cleaning",
        "House, office and end-of-lease cleaners, from a quick tidy to a bond-back deep clean.",
        (
            S(
                "House cleaning",
                "house-cleaning",
                "Regular or one-off home cleans: kitchens, bathrooms, floors, dusting and more.",
                [
                    number("bedrooms", "Number of bedrooms", required=True),
                    number("bathrooms", "Number of bathrooms", required=True),
                    boolean("includes_oven", "Includes the oven"),
                    choice("frequency", "How often", FREQUENCIES),
                ],
            ),
            S(
                "End of lease cleaning",
                "end-of-lease-cleaning",
                "Bond cleaning to the agent's checklist, with a re-clean if anything is flagged at "
                "the inspection.",
                [
                    number("bedrooms", "Number of bedrooms", required=True),
                    number("bathrooms", "Number of bathrooms", required=True),
                    boolean("includes_carpet_steam", "Includes carpet steam cleaning"),
                    boolean("bond_back_guarantee", "Bond-back guarantee"),
                ],
            ),
            S(
                "Office cleaning",
                "office-cleaning",
                "After-hours cleaning for offices, clinics and shops, with your own checklist.",
                [
                    number("floor_area_m2", "Floor area (m²)", required=True),
                    choice(
                        "frequency",
                        "How often",
                        ["Daily", "Three times a week", "Weekly", "One-off"],
                    ),
                ],
            ),
            S(
                "Window cleaning",
                "window-cleaning",
                "Streak-free windows inside and out, including screens, tracks and high glass.",
                [
                    choice("storeys", "Storeys", STOREYS, required=True),
                    boolean("includes_screens_tracks", "Includes screens and tracks"),
                ],
            ),
            S(
                "Oven & BBQ cleaning",
                "oven-bbq-cleaning",
                "Ovens, cooktops, rangehoods and barbecues degreased back to almost-new.",
                [
                    choice(
                        "item",
                        "What needs cleaning",
                        ["Oven", "Cooktop", "Rangehood", "BBQ"],
                        required=True,
                    )
                ],
            ),
            S(
                "Pressure cleaning",
                "pressure-cleaning",
                "High-pressure cleaning for driveways, paths, decks, pool surrounds and house "
                "exteriors.",
                [
                    choice(
                        "surface",
                        "Surface",
                        [
                            "Driveway",
                            "Paths and patio",
                            "Deck",
                            "Pool surround",
                            "House exterior",
                            "Roof",
                        ],
                        required=True,
                    ),
                    number("area_m2", "Approximate area (m²)"),
                ],
            ),
        ),
        provider_weight=12,
    ),
    CategoryData(
        "Carpet cleaning",
        "carpet-cleaning",
        "Steam and dry cleaning for carpets, rugs, upholstery and mattresses, plus stain removal.",
        (
            S(
                "Carpet steam cleaning",
                "carpet-steam-cleaning",
                "Truck-mounted hot water extraction that lifts deep dirt, allergens and most "
                "stains.",
                [
                    number("number_of_rooms", "Number of rooms", required=True),
                    choice(
                        "method",
                        "Method",
                        ["Hot water extraction (steam)", "Low-moisture dry clean"],
                    ),
                    boolean("stain_treatment", "Includes stain treatment"),
                ],
            ),
            S(
                "Rug cleaning",
                "rug-cleaning",
                "Wool, silk and synthetic rugs cleaned on site or picked up and washed.",
                [
                    choice(
                        "rug_size",
                        "Rug size",
                        ["Small (under 2 m²)", "Medium (2-5 m²)", "Large (over 5 m²)"],
                        required=True,
                    ),
                    choice(
                        "material",
                        "Material",
                        ["Wool", "Synthetic", "Silk", "Jute or natural fibre"],
                    ),
                ],
            ),
            S(
                "Upholstery cleaning",
                "upholstery-cleaning",
                "Couches, armchairs and dining chairs cleaned and deodorised, fabric or leather.",
                [
                    number("number_of_seats", "Number of seats", required=True),
                    choice("fabric", "Fabric", ["Fabric", "Leather", "Microsuede"]),
                ],
            ),
            S(
                "Mattress cleaning",
                "mattress-cleaning",
                "Mattresses sanitised to remove dust mites, stains and odours.",
                [
                    choice(
                        "mattress_size",
                        "Mattress size",
                        ["Single", "King single", "Double", "Queen", "King"],
                        required=True,
                    ),
                    number("number_of_mattresses", "Number of mattresses"),
                ],
            ),
            S(
                "Tile & grout cleaning",
                "tile-grout-cleaning",
                "Tiles and grout lines deep-cleaned and resealed in bathrooms, kitchens and "
                "outdoor areas.",
                [
                    number("area_m2", "Tiled area (m²)", required=True),
                    boolean("includes_sealing", "Includes grout sealing"),
                ],
            ),
        ),
        provider_weight=5,
    ),
    CategoryData(
        "Removalists",
        "removalists",
        "Local and interstate removalists, packers and furniture movers with insured trucks.",
        (
            S(
                "Local removalists",
                "local-removalists",
                "House and unit moves across town by an experienced crew with a truck, blankets "
                "and trolleys.",
                [
                    choice("property_size", "Property size", MOVE_SIZES, required=True),
                    choice(
                        "truck_size",
                        "Truck size",
                        ["Van or ute", "4.5 tonne", "6 tonne", "8 tonne", "10 tonne or more"],
                    ),
                    number("number_of_movers", "Number of movers"),
                    boolean("stairs_or_lift", "Stairs or a lift at either end"),
                ],
            ),
            S(
                "Interstate removalists",
                "interstate-removalists",
                "Dedicated or shared-load moves between states, door to door.",
                [
                    choice("property_size", "Property size", MOVE_SIZES, required=True),
                    choice("from_state", "Moving from", STATES, required=True),
                    choice("to_state", "Moving to", STATES, required=True),
                    boolean("backloading_ok", "Happy to share a truck (backloading)"),
                ],
            ),
            S(
                "Office relocations",
                "office-relocations",
                "Offices, workstations and IT equipment moved after hours or over a weekend.",
                [number("number_of_workstations", "Number of workstations", required=True)],
            ),
            S(
                "Furniture removals",
                "furniture-removals",
                "Single items and small loads: a couch, a fridge or a Marketplace bargain.",
                [
                    number("number_of_items", "Number of items", required=True),
                    boolean("heavy_items", "Includes heavy items such as a fridge or washer"),
                ],
            ),
            S(
                "Piano removals",
                "piano-removals",
                "Upright and grand pianos moved by specialists with the right gear.",
                [
                    choice(
                        "piano_type", "Piano", ["Upright", "Baby grand", "Grand"], required=True
                    ),
                    boolean("stairs", "Stairs at either end"),
                ],
            ),
            S(
                "Packing services",
                "packing-services",
                "Professional packing and unpacking, with boxes and wrapping supplied.",
                [
                    number("bedrooms", "Number of bedrooms", required=True),
                    boolean("supply_boxes", "Supply boxes and packing materials"),
                ],
            ),
        ),
        provider_weight=6,
    ),
    CategoryData(
        "Gardening & lawns",
        "gardening-lawns",
        "Lawn mowing, garden maintenance, landscaping and turf for every size of yard.",
        (
            S(
                "Lawn mowing",
                "lawn-mowing",
                "Mowing, edging and whipper snipping, with the clippings taken away.",
                [
                    choice(
                        "lawn_size",
                        "Lawn size",
                        [
                            "Small (under 100 m²)",
                            "Medium (100-300 m²)",
                            "Large (300-600 m²)",
                            "Acreage",
                        ],
                        required=True,
                    ),
                    boolean("includes_edging", "Includes edging"),
                    boolean("green_waste_removal", "Take the green waste away"),
                ],
            ),
            S(
                "Garden maintenance",
                "garden-maintenance",
                "Weeding, pruning, mulching and general tidy-ups, one-off or on a regular round.",
                [
                    number("hours", "Estimated hours", required=True),
                    choice("frequency", "How often", FREQUENCIES),
                ],
            ),
            S(
                "Landscaping",
                "landscaping",
                "Garden design and construction: retaining walls, paving, planting and lighting.",
                [
                    choice(
                        "project",
                        "Project",
                        [
                            "Garden design",
                            "Retaining walls",
                            "Paving",
                            "Planting",
                            "Full backyard makeover",
                        ],
                        required=True,
                    ),
                    number("area_m2", "Area (m²)"),
                ],
            ),
            S(
                "Hedge trimming",
                "hedge-trimming",
                "Hedges shaped and trimmed, from low borders to tall lilly pilly screens.",
                [
                    number("hedge_length_m", "Total hedge length (m)", required=True),
                    number("hedge_height_m", "Hedge height (m)"),
                ],
            ),
            S(
                "Turf laying",
                "turf-laying",
                "New lawns supplied and laid, with soil preparation and levelling.",
                [
                    number("area_m2", "Area (m²)", required=True),
                    choice(
                        "turf_type",
                        "Turf variety",
                        ["Sir Walter buffalo", "Kikuyu", "Couch", "Zoysia", "Not sure"],
                    ),
                ],
            ),
            S(
                "Irrigation",
                "irrigation",
                "Garden sprinkler and drip systems installed, repaired and set up on timers.",
                [
                    number("number_of_zones", "Number of zones", required=True),
                    choice("job", "Job", ["New system", "Repair", "Add a zone"]),
                ],
            ),
        ),
        provider_weight=9,
    ),
    CategoryData(
        "Tree removal & arborists",
        "arborists",
        "Qualified arborists for tree removal, pruning, stump grinding and council reports.",
        (
            S(
                "Tree removal",
                "tree-removal",
                "Trees safely felled or dismantled in sections, with the timber and green waste "
                "removed.",
                [
                    number("tree_height_m", "Tree height (m)", required=True),
                    number("number_of_trees", "Number of trees"),
                    boolean("near_structures", "Close to a house, fence or power lines"),
                    boolean("stump_grinding", "Grind the stump too"),
                ],
            ),
            S(
                "Tree pruning",
                "tree-pruning",
                "Pruning to Australian Standard AS 4373 for health, light and clearance from "
                "roofs.",
                [
                    number("tree_height_m", "Tree height (m)", required=True),
                    number("number_of_trees", "Number of trees"),
                ],
            ),
            S(
                "Stump grinding",
                "stump-grinding",
                "Stumps ground below ground level so you can turf or replant.",
                [
                    number("number_of_stumps", "Number of stumps", required=True),
                    number("stump_diameter_cm", "Largest stump diameter (cm)"),
                ],
            ),
            S(
                "Emergency tree work",
                "emergency-tree-work",
                "Storm-damaged and fallen trees made safe and cleared, around the clock.",
                [
                    choice(
                        "fallen_on",
                        "The tree is on",
                        ["House or roof", "Car", "Fence", "Driveway", "Yard only"],
                        required=True,
                    ),
                ],
            ),
            S(
                "Arborist reports",
                "arborist-reports",
                "Tree reports for council applications, development and pre-purchase checks.",
                [
                    choice(
                        "report_type",
                        "Report",
                        [
                            "Council tree removal application",
                            "Development (DA) report",
                            "Tree health assessment",
                            "Pre-purchase tree report",
                        ],
                        required=True,
                    ),
                ],
            ),
        ),
        provider_weight=4,
    ),
    CategoryData(
        "Handyman",
        "handyman",
        "Handymen for the jobs on your list: repairs, assembly, mounting and odd jobs.",
        (
            S(
                "General handyman",
                "general-handyman",
                "A reliable pair of hands for small repairs and odd jobs around the house.",
                [
                    number("hours", "Estimated hours", required=True),
                    text("task_list", "What's on the list?"),
                ],
            ),
            S(
                "Furniture assembly",
                "furniture-assembly",
                "Flat-pack furniture assembled, from a bookcase to a whole bedroom suite.",
                [
                    number("number_of_items", "Number of items", required=True),
                    boolean("wall_anchoring", "Anchor tall furniture to the wall"),
                ],
            ),
            S(
                "TV wall mounting",
                "tv-wall-mounting",
                "TVs mounted on brackets with cables hidden, on plasterboard, brick or concrete.",
                [
                    number("tv_size_inches", "TV size (inches)", required=True),
                    choice(
                        "wall_type", "Wall type", ["Plasterboard", "Brick", "Concrete", "Not sure"]
                    ),
                    boolean("hide_cables", "Hide the cables in the wall"),
                ],
            ),
            S(
                "Picture & shelf hanging",
                "picture-shelf-hanging",
                "Artwork, mirrors, shelves and curtain rods hung straight and secure.",
                [number("number_of_items", "Number of items", required=True)],
            ),
            S(
                "Door repairs & installation",
                "door-repairs",
                "Sticking, sagging and broken doors fixed, and new doors hung.",
                [
                    choice(
                        "door_type",
                        "Door",
                        [
                            "Internal",
                            "Front or entry",
                            "Sliding",
                            "Security screen door",
                            "Cavity slider",
                        ],
                        required=True,
                    ),
                    number("number_of_doors", "Number of doors"),
                ],
            ),
            S(
                "Fence repairs",
                "fence-repairs",
                "Timber paling, Colorbond and picket fences repaired or replaced.",
                [
                    choice(
                        "fence_type",
                        "Fence type",
                        ["Colorbond", "Timber paling", "Picket", "Pool fence"],
                        required=True,
                    ),
                    number("length_m", "Length (m)"),
                ],
            ),
        ),
        provider_weight=10,
    ),
    CategoryData(
        "Painters",
        "painters",
        "House painters for interiors, exteriors, decks and commercial work.",
        (
            S(
                "Interior painting",
                "interior-painting",
                "Walls, ceilings, doors and trims painted with low-VOC paints and tidy prep.",
                [
                    number("number_of_rooms", "Number of rooms", required=True),
                    boolean("ceilings_included", "Includes ceilings"),
                ],
            ),
            S(
                "Exterior painting",
                "exterior-painting",
                "Weatherboard, brick and rendered homes repainted to handle the Australian sun.",
                [
                    choice("storeys", "Storeys", STOREYS, required=True),
                    choice(
                        "surface",
                        "Surface",
                        ["Weatherboard", "Brick", "Render", "Fibro", "Cladding"],
                    ),
                ],
            ),
            S(
                "Deck staining & oiling",
                "deck-oiling",
                "Decks sanded, cleaned and oiled or stained to bring the timber back.",
                [
                    number("deck_area_m2", "Deck area (m²)", required=True),
                    boolean("sanding_needed", "Needs sanding first"),
                ],
            ),
            S(
                "Wallpaper installation",
                "wallpaper-installation",
                "Wallpaper hung, feature walls created and old wallpaper stripped.",
                [
                    number("number_of_walls", "Number of walls", required=True),
                    boolean("remove_old_wallpaper", "Remove old wallpaper first"),
                ],
            ),
            S(
                "Commercial painting",
                "commercial-painting",
                "Offices, shops and strata buildings painted with minimal disruption.",
                [
                    number("area_m2", "Approximate area (m²)", required=True),
                    boolean("after_hours", "Work must be done after hours"),
                ],
            ),
        ),
        provider_weight=7,
    ),
    CategoryData(
        "Locksmiths",
        "locksmiths",
        "Mobile locksmiths for lockouts, new locks, rekeying, car keys and safes.",
        (
            S(
                "Emergency lockouts",
                "emergency-lockouts",
                "Locked out of the house, car or shop? A mobile locksmith on the way, 24/7.",
                [
                    choice(
                        "lockout_type",
                        "Locked out of",
                        ["House or unit", "Car", "Business", "Safe"],
                        required=True,
                    ),
                ],
            ),
            S(
                "Lock installation & repairs",
                "lock-installation",
                "Deadlocks, smart locks, window locks and keyed-alike sets supplied and fitted.",
                [
                    choice(
                        "lock_type",
                        "Lock type",
                        [
                            "Deadlock",
                            "Smart lock",
                            "Digital keypad",
                            "Window locks",
                            "Keyed-alike set",
                            "Padlock",
                        ],
                        required=True,
                    ),
                    number("number_of_locks", "Number of locks"),
                ],
            ),
            S(
                "Lock rekeying",
                "lock-rekeying",
                "Locks rekeyed after a move or lost keys, so old keys stop working.",
                [number("number_of_locks", "Number of locks", required=True)],
            ),
            S(
                "Car key replacement",
                "car-key-replacement",
                "Car keys cut and transponders and remotes programmed on the spot.",
                [
                    choice(
                        "key_type",
                        "Key type",
                        ["Standard key", "Transponder key", "Remote or smart key"],
                        required=True,
                    ),
                    text("car_make_model", "Car make and model"),
                ],
            ),
            S(
                "Safes",
                "safes",
                "Home and business safes supplied, installed, opened and serviced.",
                [
                    choice(
                        "service",
                        "Service",
                        ["Supply and install", "Open a locked safe", "Service or repair"],
                        required=True,
                    )
                ],
            ),
        ),
        provider_weight=4,
        licensed=True,
    ),
    CategoryData(
        "Roofing",
        "roofing",
        "Roofers for leaks, restorations, re-roofing, gutters and skylights.",
        (
            S(
                "Roof repairs",
                "roof-repairs",
                "Leaks found and fixed, broken tiles replaced and ridge caps repointed.",
                [
                    choice("roof_type", "Roof type", ROOF_TYPES, required=True),
                    boolean("active_leak", "It's leaking now"),
                ],
            ),
            S(
                "Roof restoration",
                "roof-restoration",
                "Roofs cleaned, repaired, repointed and recoated to look new again.",
                [
                    choice("roof_type", "Roof type", ROOF_TYPES, required=True),
                    choice("storeys", "Storeys", STOREYS),
                    number("roof_area_m2", "Roof area (m²)"),
                ],
            ),
            S(
                "Re-roofing",
                "re-roofing",
                "Old tile or tin roofs replaced with new Colorbond, including asbestos removal by "
                "licensed removalists.",
                [
                    number("roof_area_m2", "Roof area (m²)", required=True),
                    choice("current_roof", "Current roof", [*ROOF_TYPES, "Asbestos sheeting"]),
                ],
            ),
            S(
                "Gutter cleaning",
                "gutter-cleaning",
                "Gutters and downpipes cleared of leaves before bushfire and storm season.",
                [
                    choice("storeys", "Storeys", STOREYS, required=True),
                    boolean("install_gutter_guard", "Also install gutter guard"),
                ],
            ),
            S(
                "Gutter installation",
                "gutter-installation",
                "New Colorbond gutters, fascia and downpipes measured and installed.",
                [
                    number("length_m", "Gutter length (m)", required=True),
                    choice("material", "Material", ["Colorbond", "Zincalume", "PVC"]),
                ],
            ),
            S(
                "Skylights",
                "skylights",
                "Skylights and solar tubes installed to bring daylight into dark rooms.",
                [
                    choice(
                        "skylight_type",
                        "Skylight",
                        ["Fixed skylight", "Opening skylight", "Solar tube"],
                        required=True,
                    )
                ],
            ),
        ),
        provider_weight=5,
        licensed=True,
    ),
    CategoryData(
        "Air conditioning",
        "air-conditioning",
        "Heating and cooling specialists for split systems, ducted air, servicing and repairs.",
        (
            S(
                "Split system installation",
                "split-system-installation",
                "Split system air conditioners supplied and installed by ARCtick-licensed "
                "technicians.",
                [
                    number("capacity_kw", "Cooling capacity (kW)", required=True),
                    boolean("back_to_back", "Back-to-back install (indoor and outdoor units meet)"),
                    boolean("unit_supplied", "I've already bought the unit"),
                ],
            ),
            S(
                "Ducted air conditioning",
                "ducted-air-conditioning",
                "Whole-home ducted reverse-cycle systems designed, installed and zoned.",
                [
                    number("number_of_zones", "Number of zones", required=True),
                    choice("storeys", "Storeys", STOREYS),
                ],
            ),
            S(
                "Air conditioner servicing",
                "air-conditioner-servicing",
                "Filters, coils and drains cleaned so your system runs efficiently and healthily.",
                [
                    number("number_of_units", "Number of units", required=True),
                    choice(
                        "system_type",
                        "System type",
                        ["Split system", "Ducted", "Window or wall", "Cassette"],
                    ),
                ],
            ),
            S(
                "Air conditioner repairs",
                "air-conditioner-repairs",
                "Faults found and fixed on all major brands, including gas re-charges.",
                [
                    choice(
                        "issue",
                        "What's wrong?",
                        [
                            "Not cooling",
                            "Not heating",
                            "Leaking water",
                            "Noisy",
                            "Showing an error code",
                        ],
                        required=True,
                    ),
                    text("brand", "Brand"),
                ],
            ),
            S(
                "Evaporative cooling",
                "evaporative-cooling",
                "Evaporative coolers serviced, repaired and installed for dry-climate summers.",
                [choice("job", "Job", ["Service", "Repair", "New install"], required=True)],
            ),
        ),
        provider_weight=6,
        licensed=True,
    ),
    CategoryData(
        "Building & renovation",
        "building-renovation",
        "Licensed builders and trades for renovations, extensions, decks and granny flats.",
        (
            S(
                "Bathroom renovations",
                "bathroom-renovations",
                "Complete bathroom renovations: strip-out, waterproofing, tiling and fit-off.",
                [
                    choice(
                        "bathroom_size",
                        "Bathroom",
                        ["Ensuite", "Standard bathroom", "Large family bathroom"],
                        required=True,
                    ),
                    boolean("full_strip_out", "Full strip-out"),
                ],
            ),
            S(
                "Kitchen renovations",
                "kitchen-renovations",
                "New kitchens designed and built, from cabinetry and benchtops to splashbacks.",
                [
                    choice(
                        "layout",
                        "Layout",
                        ["Galley", "L-shaped", "U-shaped", "Island"],
                        required=True,
                    ),
                    choice(
                        "benchtop",
                        "Benchtop",
                        ["Laminate", "Engineered stone", "Natural stone", "Timber"],
                    ),
                ],
            ),
            S(
                "Home extensions",
                "home-extensions",
                "Ground-floor and second-storey extensions, with plans and council approvals "
                "handled.",
                [
                    choice(
                        "extension_type",
                        "Extension",
                        ["Ground floor", "Second storey", "Rear living area"],
                        required=True,
                    ),
                    number("area_m2", "Approximate area (m²)"),
                ],
            ),
            S(
                "Decks & pergolas",
                "decks-pergolas",
                "Hardwood and composite decks, pergolas, patio roofs and carports built to last.",
                [
                    choice(
                        "structure",
                        "Structure",
                        ["Deck", "Pergola", "Patio roof", "Carport"],
                        required=True,
                    ),
                    number("area_m2", "Area (m²)"),
                    choice(
                        "material",
                        "Material",
                        ["Merbau", "Spotted gum", "Treated pine", "Composite", "Colorbond"],
                    ),
                ],
            ),
            S(
                "Granny flats",
                "granny-flats",
                "Granny flats and backyard studios designed, approved and built.",
                [
                    number("bedrooms", "Number of bedrooms", required=True),
                    boolean("approval_needed", "Help with council or complying approval"),
                ],
            ),
            S(
                "Carpentry",
                "carpentry",
                "Qualified carpenters for framing, built-ins, doors, skirting and timber repairs.",
                [text("job_description", "What needs doing?", required=True)],
            ),
            S(
                "Tiling",
                "tiling",
                "Floor and wall tiling for bathrooms, kitchens, splashbacks and outdoor areas.",
                [
                    number("area_m2", "Area (m²)", required=True),
                    choice(
                        "area_type",
                        "Where",
                        ["Bathroom", "Kitchen splashback", "Floor", "Outdoor or alfresco"],
                    ),
                ],
            ),
            S(
                "Plastering",
                "plastering",
                "Plasterboard patched, new walls and ceilings sheeted, cornices replaced.",
                [
                    choice(
                        "job",
                        "Job",
                        ["Patch and repair", "New walls", "Ceiling replacement", "Cornice"],
                        required=True,
                    )
                ],
            ),
        ),
        provider_weight=7,
        licensed=True,
    ),
)


def catalogue_slugs() -> list[str]:
    """Every category and subcategory slug in the demo catalogue, in order."""
    slugs: list[str] = []
    for category in CATEGORIES:
        slugs.append(category.slug)
        slugs.extend(subcategory.slug for subcategory in category.subcategories)
    return slugs


@transaction.atomic
def catalogue_seed() -> tuple[int, int]:
    """Create the categories and subcategories that do not exist yet (by slug).

    Existing rows are left as they are, so a moderator's edits survive a re-run.
    Returns (categories created, subcategories created).
    """
    category_ids = dict(Category.objects.values_list("slug", "pk"))
    # Categories and subcategories share one URL space: a slug taken by either is taken.
    taken = set(category_ids) | set(Subcategory.objects.values_list("slug", flat=True))
    new_categories = [
        Category(name=data.name, slug=data.slug, description=data.description, position=position)
        for position, data in enumerate(CATEGORIES, start=1)
        if data.slug not in taken
    ]
    for category in Category.objects.bulk_create(new_categories):
        category_ids[category.slug] = category.pk
    new_subcategories = [
        Subcategory(
            category_id=category_ids[data.slug],
            name=sub.name,
            slug=sub.slug,
            description=sub.description,
            attribute_schema=sub.schema,
            position=position,
        )
        for data in CATEGORIES
        if data.slug in category_ids
        for position, sub in enumerate(data.subcategories, start=1)
        if sub.slug not in taken
    ]
    Subcategory.objects.bulk_create(new_subcategories)
    return len(new_categories), len(new_subcategories)

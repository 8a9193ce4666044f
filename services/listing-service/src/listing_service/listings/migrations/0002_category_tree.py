"""The default category tree: 15 top categories, each with its leaf categories and the item-specific
names the sell form suggests. Ids are stable slug paths; a later change adds or renames nodes in a new
migration and never reuses an id."""

from django.db import migrations


# (top slug, top name, [(leaf slug, leaf name, [suggested specifics]), ...])
TREE = [
    ("cameras-photo", "Cameras & Photo", [
        ("digital-cameras", "Digital Cameras", ["Brand", "Model", "Megapixels", "Sensor Size", "Mount"]),
        ("film-cameras", "Film Cameras", ["Brand", "Model", "Film Format", "Type"]),
        ("lenses", "Lenses", ["Brand", "Mount", "Focal Length", "Maximum Aperture"]),
        ("drones", "Camera Drones", ["Brand", "Model", "Video Resolution", "Flight Time"]),
        ("accessories", "Camera Accessories", ["Brand", "Type", "Compatible Brand"]),
    ]),
    ("computers", "Computers & Tablets", [
        ("laptops", "Laptops", ["Brand", "Processor", "RAM Size", "Storage Capacity", "Screen Size"]),
        ("desktops", "Desktops", ["Brand", "Processor", "RAM Size", "Storage Capacity"]),
        ("tablets", "Tablets & eReaders", ["Brand", "Model", "Storage Capacity", "Screen Size"]),
        ("components", "Computer Components", ["Brand", "Type", "Interface"]),
        ("peripherals", "Keyboards, Mice & Peripherals", ["Brand", "Type", "Connectivity"]),
    ]),
    ("phones", "Cell Phones & Accessories", [
        ("smartphones", "Smartphones", ["Brand", "Model", "Storage Capacity", "Colour", "Network"]),
        ("cases", "Cases & Covers", ["Compatible Brand", "Compatible Model", "Material"]),
        ("chargers", "Chargers & Cables", ["Connector", "Compatible Brand", "Length"]),
    ]),
    ("electronics", "Consumer Electronics", [
        ("tv-video", "TV & Video", ["Brand", "Screen Size", "Resolution", "Display Technology"]),
        ("audio", "Headphones & Audio", ["Brand", "Type", "Connectivity"]),
        ("smart-home", "Smart Home", ["Brand", "Type", "Compatible Assistant"]),
        ("wearables", "Smart Watches & Wearables", ["Brand", "Model", "Case Size"]),
    ]),
    ("video-games", "Video Games & Consoles", [
        ("consoles", "Consoles", ["Platform", "Model", "Storage Capacity", "Region"]),
        ("games", "Games", ["Platform", "Genre", "Region", "Rating"]),
        ("controllers", "Controllers & Accessories", ["Platform", "Type", "Brand"]),
    ]),
    ("collectibles", "Collectibles", [
        ("coins", "Coins & Paper Money", ["Country", "Year", "Denomination", "Grade"]),
        ("trading-cards", "Trading Cards", ["Game", "Set", "Card Name", "Grade"]),
        ("stamps", "Stamps", ["Country", "Year", "Quality"]),
        ("crypto-memorabilia", "Crypto Memorabilia", ["Coin", "Type", "Year"]),
        ("comics", "Comics", ["Publisher", "Series", "Issue Number", "Grade"]),
    ]),
    ("fashion", "Clothing, Shoes & Accessories", [
        ("mens-clothing", "Men's Clothing", ["Brand", "Size", "Colour", "Material"]),
        ("womens-clothing", "Women's Clothing", ["Brand", "Size", "Colour", "Material"]),
        ("shoes", "Shoes", ["Brand", "Shoe Size", "Colour", "Style"]),
        ("bags", "Bags & Handbags", ["Brand", "Colour", "Material"]),
    ]),
    ("jewellery-watches", "Jewellery & Watches", [
        ("watches", "Watches", ["Brand", "Model", "Movement", "Case Size"]),
        ("fine-jewellery", "Fine Jewellery", ["Metal", "Main Stone", "Ring Size"]),
        ("fashion-jewellery", "Fashion Jewellery", ["Type", "Metal", "Colour"]),
    ]),
    ("home-garden", "Home & Garden", [
        ("furniture", "Furniture", ["Type", "Material", "Colour", "Room"]),
        ("kitchen", "Kitchen, Dining & Bar", ["Brand", "Type", "Material"]),
        ("tools", "Tools & Workshop", ["Brand", "Type", "Power Source"]),
        ("garden", "Garden & Patio", ["Type", "Material"]),
        ("decor", "Home Decor", ["Type", "Colour", "Style"]),
    ]),
    ("sporting-goods", "Sporting Goods", [
        ("cycling", "Cycling", ["Brand", "Frame Size", "Type", "Wheel Size"]),
        ("fitness", "Fitness & Gym", ["Brand", "Type", "Weight"]),
        ("outdoor", "Camping & Hiking", ["Brand", "Type", "Capacity"]),
        ("team-sports", "Team Sports", ["Sport", "Brand", "Size"]),
    ]),
    ("toys-hobbies", "Toys & Hobbies", [
        ("building-toys", "Building Toys", ["Brand", "Set Number", "Theme"]),
        ("models-kits", "Models & Kits", ["Scale", "Type", "Brand"]),
        ("board-games", "Board & Card Games", ["Publisher", "Players", "Age Level"]),
        ("rc", "Radio Control", ["Type", "Scale", "Power Source"]),
    ]),
    ("books-media", "Books, Movies & Music", [
        ("books", "Books", ["Author", "Format", "Language", "Publication Year"]),
        ("movies", "Movies & TV", ["Format", "Genre", "Region"]),
        ("music", "Music", ["Artist", "Format", "Genre"]),
        ("musical-instruments", "Musical Instruments", ["Brand", "Type", "Model"]),
    ]),
    ("vehicle-parts", "Vehicle Parts & Accessories", [
        ("car-parts", "Car & Truck Parts", ["Brand", "Manufacturer Part Number", "Placement"]),
        ("motorcycle-parts", "Motorcycle Parts", ["Brand", "Manufacturer Part Number", "Type"]),
        ("tools-equipment", "Automotive Tools", ["Brand", "Type"]),
    ]),
    ("health-beauty", "Health & Beauty", [
        ("fragrances", "Fragrances", ["Brand", "Volume", "Type"]),
        ("skin-care", "Skin Care", ["Brand", "Type", "Skin Type"]),
        ("shaving", "Shaving & Hair Removal", ["Brand", "Type"]),
    ]),
    ("other", "Everything Else", [
        ("art", "Art", ["Artist", "Medium", "Size"]),
        ("crafts", "Crafts", ["Type", "Material"]),
        ("pet-supplies", "Pet Supplies", ["Animal", "Type", "Brand"]),
        ("miscellaneous", "Miscellaneous", ["Type"]),
    ]),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Category = apps.get_model("listings", "Category")
    for top_position, (top_slug, top_name, leaves) in enumerate(TREE):
        top = Category.objects.create(id=top_slug, name=top_name, position=top_position, suggested_specifics=[])
        for position, (leaf_slug, leaf_name, specifics) in enumerate(leaves):
            Category.objects.create(
                id=f"{top_slug}.{leaf_slug}",
                parent=top,
                name=leaf_name,
                position=position,
                suggested_specifics=specifics,
            )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Category = apps.get_model("listings", "Category")
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("listings", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

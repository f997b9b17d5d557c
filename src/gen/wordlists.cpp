#include "gen/wordlists.hpp"

namespace pgshape::gen {
namespace {

constexpr std::string_view kAdjectives[] = {
    "Ergonomic", "Rustic",    "Sleek",       "Intelligent", "Gorgeous",  "Incredible",
    "Fantastic", "Practical", "Handcrafted", "Refined",     "Licensed",  "Unbranded",
    "Generic",   "Tasty",     "Awesome",     "Small",       "Large",     "Compact",
    "Modern",    "Classic",   "Vintage",     "Premium",     "Durable",   "Lightweight",
    "Portable",  "Elegant",   "Oriented",    "Recycled",    "Bespoke",   "Electronic",
    "Luxurious", "Organic",   "Smart",       "Deluxe",      "Essential", "Heavy Duty"};
constexpr std::string_view kMaterials[] = {
    "Steel", "Wooden", "Concrete", "Plastic",  "Cotton", "Granite", "Rubber",  "Metal",
    "Soft",  "Fresh",  "Frozen",   "Bronze",   "Marble", "Silk",    "Leather", "Ceramic",
    "Glass", "Bamboo", "Wool",     "Aluminum", "Linen",  "Carbon",  "Velvet",  "Oak"};
constexpr std::string_view kNouns[] = {
    "Chair",   "Car",      "Computer", "Keyboard", "Mouse", "Bike",       "Ball",     "Gloves",
    "Pants",   "Shirt",    "Table",    "Shoes",    "Hat",   "Towels",     "Soap",     "Tuna",
    "Chicken", "Fish",     "Cheese",   "Bacon",    "Pizza", "Salad",      "Sausages", "Chips",
    "Lamp",    "Backpack", "Bottle",   "Wallet",   "Watch", "Headphones", "Speaker",  "Jacket",
    "Blanket", "Pillow",   "Mug",      "Kettle",   "Knife", "Pan",        "Sofa",     "Desk",
    "Monitor", "Camera",   "Tent",     "Umbrella", "Scarf", "Sneakers",   "Clock"};
constexpr std::string_view kLorem[] = {"lorem",      "ipsum",        "dolor",
                                       "sit",        "amet",         "consectetur",
                                       "adipiscing", "elit",         "sed",
                                       "do",         "eiusmod",      "tempor",
                                       "incididunt", "ut",           "labore",
                                       "et",         "dolore",       "magna",
                                       "aliqua",     "enim",         "ad",
                                       "minim",      "veniam",       "quis",
                                       "nostrud",    "exercitation", "ullamco",
                                       "laboris",    "nisi",         "aliquip",
                                       "ex",         "ea",           "commodo",
                                       "consequat",  "duis",         "aute",
                                       "irure",      "in",           "reprehenderit",
                                       "voluptate",  "velit",        "esse",
                                       "cillum",     "fugiat",       "nulla",
                                       "pariatur",   "excepteur",    "sint",
                                       "occaecat",   "cupidatat",    "non",
                                       "proident",   "sunt",         "culpa",
                                       "qui",        "officia",      "deserunt",
                                       "mollit",     "anim",         "id",
                                       "est",        "laborum"};
constexpr std::string_view kFirstNames[] = {
    "Ada",    "Alan",   "Grace",   "Linus", "Barbara",   "Ken",     "Dennis", "Margaret",
    "Edsger", "Donald", "Frances", "John",  "Radia",     "Tim",     "Sophie", "Guido",
    "Bjarne", "Anita",  "Leslie",  "Hedy",  "Katherine", "Niklaus", "Shafi",  "Yukihiro",
    "Mary",   "James",  "Olivia",  "Liam",  "Emma",      "Noah",    "Amelia", "Oliver",
    "Ava",    "Elijah", "Mia",     "Lucas", "Chloe",     "Mateo",   "Zoe",    "Hiro",
    "Aisha",  "Kofi",   "Priya",   "Wei",   "Lena",      "Omar",    "Ines",   "Tomas",
    "Yara",   "Sven"};
constexpr std::string_view kLastNames[] = {
    "Lovelace", "Turing",     "Hopper",     "Torvalds", "Liskov",   "Thompson", "Ritchie",
    "Hamilton", "Dijkstra",   "Knuth",      "Allen",    "McCarthy", "Perlman",  "Berners-Lee",
    "Wilson",   "van Rossum", "Stroustrup", "Borg",     "Lamport",  "Lamarr",   "Johnson",
    "Wirth",    "Goldwasser", "Matsumoto",  "Smith",    "Garcia",   "Müller",   "Rossi",
    "Nakamura", "Okafor",     "Patel",      "Chen",     "Novak",    "Kowalski", "Silva",
    "Andersen", "Dubois",     "Haddad",     "Ivanova",  "Kim",      "Larsen",   "Moreau"};
constexpr std::string_view kCities[] = {
    "Lisbon", "Osaka", "Nairobi", "Toronto", "Lyon",   "Austin",  "Bergen",
    "Kraków", "Porto", "Seoul",   "Lagos",   "Denver", "Utrecht", "Valencia",
    "Leeds",  "Tartu", "Bilbao",  "Perth",   "Hanoi",  "Quito",   "Graz",
    "Malmö",  "Dakar", "Cork",    "Ghent",   "Izmir",  "Kyoto",   "Medellín"};
constexpr std::string_view kCompanies[] = {
    "Acme",       "Globex",  "Initech",   "Umbrella", "Hooli",      "Vandelay",        "Stark",
    "Wayne",      "Wonka",   "Cyberdyne", "Tyrell",   "Soylent",    "Massive Dynamic", "Aperture",
    "Black Mesa", "Oscorp",  "Gringotts", "Monarch",  "Pied Piper", "Dunder Mifflin",  "Prestige",
    "Vehement",   "Nakatomi"};

}  // namespace

std::span<const std::string_view> product_adjectives() {
  return kAdjectives;
}
std::span<const std::string_view> product_materials() {
  return kMaterials;
}
std::span<const std::string_view> product_nouns() {
  return kNouns;
}

std::span<const std::string_view> wordlist(std::string_view name) {
  if (name == "lorem") return kLorem;
  if (name == "first_name") return kFirstNames;
  if (name == "last_name") return kLastNames;
  if (name == "city") return kCities;
  if (name == "company") return kCompanies;
  if (name == "product") return kNouns;
  return {};
}

}  // namespace pgshape::gen

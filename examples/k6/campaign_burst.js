// The incident's evening campaign as a k6 scenario, with parameters that have
// the data's skew: 60 % of journeys open one of the three promoted products,
// because pgshape drew the product ids from order_items as the data has them.
//
//   pgshape params profiles/shop.yaml --scale production --query listing \
//       --count 10000 --format json > categories.json
//   pgshape params profiles/shop.yaml --scale production --query product_detail \
//       --count 10000 --format json > products.json
//   BASE_URL=http://localhost:8080 FACTOR=0.05 k6 run campaign_burst.js
//
// The endpoints below are the incident's (listing, product detail, add to
// cart); point BASE_URL and the three paths at your application's.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { SharedArray } from 'k6/data';

const categories = new SharedArray('categories', () => JSON.parse(open('./categories.json')));
const products = new SharedArray('products', () => JSON.parse(open('./products.json')));

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8080';
// Scales every stage's duration and rate, like the pgbench driver's --factor.
const FACTOR = Number(__ENV.FACTOR || '1');
const seconds = (s) => `${Math.max(1, Math.round(s * FACTOR))}s`;
const rate = (r) => Math.max(1, Math.round(r * FACTOR));

export const options = {
  scenarios: {
    campaign_burst: {
      executor: 'ramping-arrival-rate',
      startRate: rate(10),
      timeUnit: '1s',
      preAllocatedVUs: Math.max(10, rate(2000)),
      stages: [
        { duration: seconds(30), target: rate(10) },   // before the email goes out
        { duration: seconds(90), target: rate(800) },  // the blast: 10 -> 800 journeys/s
        { duration: seconds(600), target: rate(400) }, // the evening peak
        { duration: seconds(300), target: rate(100) }, // tailing off
      ],
    },
  },
  thresholds: {
    'http_req_duration{step:listing}': ['p(95)<300'],
    'http_req_duration{step:product}': ['p(95)<300'],
    'http_req_duration{step:add_to_cart}': ['p(95)<500'],
    http_req_failed: ['rate<0.01'],
  },
};

// Each iteration is one user's journey: the category page, the product the
// campaign sent them to, and the cart.
export default function () {
  const category = categories[Math.floor(Math.random() * categories.length)]['products.category_id'];
  const product = products[Math.floor(Math.random() * products.length)]['order_items.product_id'];

  const listing = http.get(`${BASE_URL}/categories/${category}/products`, { tags: { step: 'listing' } });
  check(listing, { 'listing 200': (r) => r.status === 200 });
  sleep(Math.random() * 2);

  const detail = http.get(`${BASE_URL}/products/${product}`, { tags: { step: 'product' } });
  check(detail, { 'product 200': (r) => r.status === 200 });
  sleep(Math.random() * 3);

  const cart = http.post(`${BASE_URL}/cart/items`, JSON.stringify({ product_id: product, quantity: 1 }), {
    headers: { 'Content-Type': 'application/json' },
    tags: { step: 'add_to_cart' },
  });
  check(cart, { 'added to cart': (r) => r.status === 200 || r.status === 201 });
}

-- The customer columns the rules read (the TCK model's input data, snake_case).
CREATE TABLE customers (
  customer_id INTEGER PRIMARY KEY,
  age INTEGER             -- Age (number)
);

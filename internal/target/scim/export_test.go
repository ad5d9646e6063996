package scim

// HoldBulk makes c's Bulk batcher gather exactly n operations a request,
// whatever the timers say, so that a test knows what goes together. Call
// it before the first write.
func HoldBulk(c *Client, n int) { c.bulkHold = n }

// DialectOf names the dialect c speaks, and why it was chosen.
func DialectOf(c *Client) (name, from string) { return c.dialect.name, c.dialectFrom }

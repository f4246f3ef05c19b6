module example.com/vendored

go 1.21

require example.com/slug v0.3.1

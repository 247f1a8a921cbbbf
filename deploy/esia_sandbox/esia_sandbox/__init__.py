"""A stand-in for ESIA (ЕСИА, Госуслуги): the real protocol shape with test people, for development and tests."""

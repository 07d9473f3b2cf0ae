"""The own fleet's vehicles: master data of delivery planning."""

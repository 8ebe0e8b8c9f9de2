# frozen_string_literal: true

require_relative "lib/app"

run App.new
